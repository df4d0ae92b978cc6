#include "daemon/notifier.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "base/log.h"
#include "io/stream.h"

namespace vipd::daemon {

struct Notifier::MailSession {
  std::unique_ptr<core::SmtpDialogue> dialogue;
  io::Micros deadline{0};
  std::string subject;
};

namespace {

std::string hostName() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

std::string rfc5322Date() {
  char buf[64];
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S %z", &tm);
  return buf;
}

const std::optional<conf::ScriptCommand>& stateScript(const conf::VrrpInstance& in,
                                                      const std::string& state) {
  static const std::optional<conf::ScriptCommand> none;
  if (state == "MASTER")
    return in.notify_master;
  if (state == "BACKUP")
    return in.notify_backup;
  if (state == "FAULT")
    return in.notify_fault;
  if (state == "STOP")
    return in.notify_stop;
  return none;
}

}  // namespace

Notifier::Notifier(io::Loop& loop, ScriptRunner& runner) : loop_(loop), runner_(runner) {
  timer_ = loop_.addTimer([this] { onTimer(); });
}

Notifier::~Notifier() {
  for (auto& [fd, m] : mails_) {
    loop_.unwatch(fd);
    ::close(fd);
  }
  for (auto& f : fifos_)
    ::close(f.fd);
  loop_.removeTimer(timer_);
}

void Notifier::configure(const conf::Config& cfg) {
  const bool same_fifos = cfg.global.notify_fifo == global_.notify_fifo &&
                          cfg.global.vrrp_notify_fifo == global_.vrrp_notify_fifo &&
                          cfg.global.notify_fifo_script == global_.notify_fifo_script &&
                          cfg.global.vrrp_notify_fifo_script == global_.vrrp_notify_fifo_script;
  global_ = cfg.global;
  if (same_fifos && !fifos_.empty())
    return;
  for (auto& f : fifos_)
    ::close(f.fd);
  fifos_.clear();
  openFifo(global_.notify_fifo, global_.notify_fifo_script);
  openFifo(global_.vrrp_notify_fifo, global_.vrrp_notify_fifo_script);
}

void Notifier::openFifo(const std::optional<conf::ScriptCommand>& fifo,
                        const std::optional<conf::ScriptCommand>& script) {
  if (!fifo)
    return;
  const std::string& path = fifo->command;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (::mkfifo(path.c_str(), 0600) != 0) {
      log::error("cannot create FIFO {}: {}", path, std::strerror(errno));
      return;
    }
  } else if (!S_ISFIFO(st.st_mode)) {
    log::error("{} exists and is not a FIFO; not writing notifications to it", path);
    return;
  }
  // Read-write, so that opening never blocks and writing never fails for want of a reader:
  // lines wait in the pipe (64 KiB) until a reader comes.
  const int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    log::error("cannot open FIFO {}: {}", path, std::strerror(errno));
    return;
  }
  fifos_.push_back({path, fd});
  if (script) {
    // The reader script gets the FIFO's name as its last argument (keepalived's contract).
    std::string error;
    auto req = scriptRequest(*script, global_, {path}, error);
    std::optional<pid_t> pid;
    if (req)
      pid = runner_.run(*req, std::nullopt, {}, error);
    if (pid)
      fifo_scripts_.push_back(*pid);
    else
      log::error("cannot start FIFO script {}: {}", script->command, error);
  }
}

void Notifier::writeLine(const std::string& line) {
  for (auto& f : fifos_) {
    const std::string text = line + "\n";
    if (::write(f.fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      ++counters_.fifo_errors;
      log::warning("FIFO {}: line not written ({}): {}", f.path, std::strerror(errno), line);
      continue;
    }
    ++counters_.fifo_lines;
  }
}

void Notifier::runScript(const conf::ScriptCommand& s, const std::vector<std::string>& extra,
                         const std::string& what) {
  std::string error;
  auto req = scriptRequest(s, global_, extra, error);
  ++counters_.scripts_run;
  auto done = [this, what](const ScriptExit& ex) {
    if (!ex.ok()) {
      ++counters_.script_failures;
      log::warning("{} {}", what, ex.describe());
    }
  };
  // Bounded (global notify_script_timeout, 60 s by default): a hung notify script is killed
  // with its process group instead of piling up with every transition (issue 17).
  std::optional<std::chrono::microseconds> timeout;
  if (global_.notify_script_timeout.count() > 0)
    timeout = global_.notify_script_timeout;
  if (!req || !runner_.run(*req, timeout, done, error)) {
    ++counters_.script_failures;
    log::error("{} not run: {}", what, error);
  }
}

void Notifier::instance(const conf::VrrpInstance& in, const std::string& state, int priority,
                        const std::string& reason) {
  writeLine("INSTANCE \"" + in.name + "\" " + state + " " + std::to_string(priority));
  if (const auto& s = stateScript(in, state))
    runScript(*s, {}, "(" + in.name + ") notify_" + state);
  if (state == "DELETED" && in.notify_deleted && !in.notify_deleted->empty())
    runScript(conf::ScriptCommand{*in.notify_deleted, {}, {}, false}, {},
              "(" + in.name + ") notify_deleted");
  if (in.notify)
    runScript(*in.notify, {"INSTANCE", in.name, state, std::to_string(priority)},
              "(" + in.name + ") notify");
  const bool alert =
      in.smtp_alert.value_or(global_.smtp_alert_vrrp.value_or(global_.smtp_alert.value_or(false)));
  if (alert && state != "STOP" && !(state == "FAULT" && global_.no_email_faults)) {
    const std::string router = global_.router_id.value_or(hostName());
    mail("[" + router + "] VRRP Instance " + in.name + " - Entering " + state + " state",
         "VRRP instance " + in.name + " on " + router + " entered " + state +
             " state.\nPriority: " + std::to_string(priority) + "\nReason: " + reason + "\n");
  }
}

void Notifier::group(const conf::SyncGroup& g, const std::string& state,
                     const std::string& reason) {
  writeLine("GROUP \"" + g.name + "\" " + state + " 0");
  const std::optional<conf::ScriptCommand>* s = nullptr;
  if (state == "MASTER")
    s = &g.notify_master;
  else if (state == "BACKUP")
    s = &g.notify_backup;
  else if (state == "FAULT")
    s = &g.notify_fault;
  else if (state == "STOP")
    s = &g.notify_stop;
  if (s && *s)
    runScript(**s, {}, "(" + g.name + ") notify_" + state);
  if (g.notify)
    runScript(*g.notify, {"GROUP", g.name, state, "0"}, "(" + g.name + ") notify");
  const bool alert =
      g.smtp_alert.value_or(global_.smtp_alert_vrrp.value_or(global_.smtp_alert.value_or(false)));
  if (alert && state != "STOP" && !(state == "FAULT" && global_.no_email_faults)) {
    const std::string router = global_.router_id.value_or(hostName());
    mail("[" + router + "] VRRP Group " + g.name + " - Entering " + state + " state",
         "VRRP sync group " + g.name + " on " + router + " entered " + state +
             " state.\nReason: " + reason + "\n");
  }
}

void Notifier::priorityChanged(const conf::VrrpInstance& in, bool master, int priority) {
  bool global = false;
  if (auto it = global_.extra.find("vrrp_notify_priority_changes"); it != global_.extra.end()) {
    const auto& args = it->second.empty() ? std::vector<std::string>{} : it->second.back();
    global =
        args.empty() || args[0] == "true" || args[0] == "on" || args[0] == "yes" || args[0] == "1";
  }
  if (!in.notify_priority_changes.value_or(global))
    return;
  writeLine("INSTANCE \"" + in.name + "\" " + (master ? "MASTER_PRIORITY " : "BACKUP_PRIORITY ") +
            std::to_string(priority));
}

void Notifier::masterRxLowerPriority(const conf::VrrpInstance& in, int priority) {
  writeLine("INSTANCE \"" + in.name + "\" MASTER_RX_LOWER_PRI " + std::to_string(priority));
  if (in.notify_master_rx_lower_pri)
    runScript(*in.notify_master_rx_lower_pri, {}, "(" + in.name + ") notify_master_rx_lower_pri");
}

void Notifier::runBlocking(const std::optional<conf::ScriptCommand>& s, int timeout_s,
                           const char* what) {
  if (!s)
    return;
  std::string error;
  auto req = scriptRequest(*s, global_, {}, error);
  if (!req) {
    log::error("{} not run: {}", what, error);
    return;
  }
  auto r = sys::spawn(*req);
  if (!r.child) {
    log::error("{} cannot start: {}", what, std::strerror(r.error));
    return;
  }
  // Before the VRRP loop starts (startup) or after it ended (shutdown): waiting is the point.
  pollfd p{r.child->pidfd, POLLIN, 0};
  if (::poll(&p, 1, timeout_s * 1000) == 0) {
    log::error("{} timed out after {} s; killed", what, timeout_s);
    sys::killGroup(*r.child, SIGKILL);
  }
  const int status = sys::reap(*r.child);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    log::warning("{} {}", what, ScriptExit{status, false}.describe());
}

void Notifier::stopFifoScripts() {
  for (pid_t pid : fifo_scripts_)
    runner_.signal(pid, SIGTERM);
  fifo_scripts_.clear();
}

// ------------------------------------------------------------------ SMTP

void Notifier::mail(const std::string& subject, const std::string& body) {
  if (!global_.smtp_server || global_.notification_email.empty()) {
    log::debug("no SMTP alert for '{}': smtp_server or notification_email not set", subject);
    return;
  }
  core::Mail m;
  m.from = global_.notification_email_from.value_or("keepalived@" + hostName());
  m.to = global_.notification_email;
  m.subject = subject;
  m.body = body;
  // Resolve and connect without blocking the loop; a name is looked up once here
  // (getaddrinfo), which is why an address is the recommended smtp_server.
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(global_.smtp_server->port);
  if (int e = ::getaddrinfo(global_.smtp_server->host.c_str(), port.c_str(), &hints, &res);
      e != 0) {
    ++counters_.mail_failures;
    log::error("SMTP alert '{}' not sent: {}: {}", subject, global_.smtp_server->host,
               gai_strerror(e));
    return;
  }
  const int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int rc = fd < 0 ? -1 : ::connect(fd, res->ai_addr, res->ai_addrlen);
  const int err = errno;
  ::freeaddrinfo(res);
  if (fd < 0 || (rc < 0 && err != EINPROGRESS)) {
    ++counters_.mail_failures;
    log::error("SMTP alert '{}' not sent: connect: {}", subject, std::strerror(err));
    if (fd >= 0)
      ::close(fd);
    return;
  }
  auto session = std::make_unique<MailSession>();
  session->dialogue = std::make_unique<core::SmtpDialogue>(
      global_.smtp_helo_name.value_or(hostName()), m, core::mailData(m, rfc5322Date()));
  session->deadline = io::monotonicNow() + global_.smtp_connect_timeout;
  session->subject = subject;
  mails_[fd] = std::move(session);
  // The server speaks first: readable means connected and greeted (or refused).
  loop_.watch(fd, [this, fd] { onMailReadable(fd); });
  onTimer();
}

void Notifier::onMailReadable(int fd) {
  auto it = mails_.find(fd);
  if (it == mails_.end())
    return;
  char buf[2048];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) {
    int soerr = 0;
    socklen_t len = sizeof soerr;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
    finishMail(fd,
               n == 0 ? "connection closed by the server" : std::strerror(soerr ? soerr : errno));
    return;
  }
  auto& d = *it->second->dialogue;
  const std::string out = d.receive(std::string(buf, static_cast<size_t>(n)));
  if (!out.empty() &&
      ::send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) {
    finishMail(fd, std::string("send: ") + std::strerror(errno));
    return;
  }
  if (d.failed())
    finishMail(fd, d.error());
  else if (d.done())
    finishMail(fd, "");
}

void Notifier::finishMail(int fd, const std::string& error) {
  auto it = mails_.find(fd);
  if (it == mails_.end())
    return;
  if (error.empty()) {
    ++counters_.mails_sent;
    log::info("SMTP alert '{}' sent", it->second->subject);
  } else {
    ++counters_.mail_failures;
    log::error("SMTP alert '{}' not sent: {}", it->second->subject, error);
  }
  loop_.unwatch(fd);
  ::close(fd);
  mails_.erase(it);
  onTimer();
}

void Notifier::onTimer() {
  std::optional<io::Micros> next;
  const auto late =
      io::expired(mails_, io::monotonicNow(), next, [](const auto& m) { return m->deadline; });
  loop_.armTimer(timer_, next);
  for (int fd : late)
    finishMail(fd, "timed out");
}

}  // namespace vipd::daemon
