#pragma once
// What vipd tells the outside world about state changes, as keepalived does
// (keepalived.conf(5) notify*, notify_fifo, smtp_alert; checked against keepalived 2.2.7):
//   - notify_master/_backup/_fault/_stop run with only their configured arguments, then the
//     generic `notify` with `INSTANCE|GROUP name STATE priority` appended (groups: priority 0);
//   - each line goes to notify_fifo and vrrp_notify_fifo: `INSTANCE "VI_1" MASTER 100`,
//     `GROUP "G1" MASTER 0`, and with notify_priority_changes `MASTER_PRIORITY`/
//     `BACKUP_PRIORITY` lines. The FIFO is the ordered channel; scripts run concurrently;
//   - an SMTP alert per transition where smtp_alert applies.
// A failing script, a FIFO nobody reads or an SMTP server that is down is logged and never
// stops the daemon.

#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conf/model.h"
#include "core/mail.h"
#include "daemon/script_runner.h"
#include "io/loop.h"

namespace vipd::daemon {

struct NotifyCounters {
  uint64_t scripts_run = 0, script_failures = 0, fifo_lines = 0, fifo_errors = 0;
  uint64_t mails_sent = 0, mail_failures = 0;
};

class Notifier {
 public:
  Notifier(io::Loop& loop, ScriptRunner& runner);
  ~Notifier();

  // Opens (creating if needed) the FIFOs and starts their reader scripts.
  void configure(const conf::Config& cfg);
  // `state`: MASTER, BACKUP, FAULT, STOP or DELETED.
  void instance(const conf::VrrpInstance& in, const std::string& state, int priority,
                const std::string& reason);
  void group(const conf::SyncGroup& g, const std::string& state, const std::string& reason);
  void priorityChanged(const conf::VrrpInstance& in, bool master, int priority);
  // A master heard a lower priority (a split brain healing): notify_master_rx_lower_pri and
  // the FIFO's MASTER_RX_LOWER_PRI line.
  void masterRxLowerPriority(const conf::VrrpInstance& in, int priority);
  // startup_script / shutdown_script: run and waited for, up to their timeout.
  void runBlocking(const std::optional<conf::ScriptCommand>& s, int timeout_s, const char* what);
  // Stops the FIFO reader scripts (SIGTERM, as keepalived does before its last lines).
  void stopFifoScripts();
  const NotifyCounters& counters() const { return counters_; }
  // One SMTP alert to notification_email (the checkers' alerts come here too, posted from
  // their thread).
  void mail(const std::string& subject, const std::string& body);

 private:
  struct Fifo {
    std::string path;
    int fd = -1;
  };
  struct MailSession;
  void runScript(const conf::ScriptCommand& s, const std::vector<std::string>& extra,
                 const std::string& what);
  void writeLine(const std::string& line);
  void openFifo(const std::optional<conf::ScriptCommand>& fifo,
                const std::optional<conf::ScriptCommand>& script);
  void onMailReadable(int fd);
  void finishMail(int fd, const std::string& error);
  void onTimer();

  io::Loop& loop_;
  ScriptRunner& runner_;
  conf::GlobalDefs global_;
  std::vector<Fifo> fifos_;
  std::vector<pid_t> fifo_scripts_;
  std::map<int, std::unique_ptr<MailSession>> mails_;
  int timer_ = -1;
  NotifyCounters counters_;
};

}  // namespace vipd::daemon
