// genhash: the MD5 digest of a web page's body, for HTTP_GET / SSL_GET `digest` lines,
// with keepalived's genhash flags and output (the digest alone on stdout). It fetches the
// page with the very request and reader the checkers use (src/check/http.h), so what it
// prints is what vipd compares.
//   genhash [-S] [-I] -s ADDR -p PORT -u URL [-V VHOST] [-P 1.0|1.0c|1.1] [-t SECS] [-m MARK] [-v]
// Unlike keepalived's genhash, a failure exits 1 (keepalived's exits 0 after "Connection
// failed", which a script cannot tell from success).

#include <getopt.h>
#include <openssl/ssl.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "check/http.h"
#include "probe/stream.h"

namespace {

void usage(std::FILE* out) {
  std::fputs(
      "Usage: genhash COMMAND [OPTIONS]\n"
      "Commands:\n"
      "   -s server-address -p port -u url\n"
      "   -S -s server-address -p port -u url\n"
      "   -h\n\n"
      "Options:\n"
      "   --use-ssl         -S       Use SSL connection to remote server.\n"
      "   --use-sni         -I       Use SNI during SSL handshake (uses the virtualhost).\n"
      "   --server          -s       Use the specified remote server address.\n"
      "   --port            -p       Use the specified remote server port.\n"
      "   --url             -u       Use the specified remote server url.\n"
      "   --use-virtualhost -V       Use the specified virtualhost in GET query.\n"
      "   --verbose         -v       Use verbose mode output.\n"
      "   --help            -h       Display this short inlined help screen.\n"
      "   --fwmark          -m       Use the specified FW mark.\n"
      "   --protocol        -P       Use the specified HTTP protocol - '1.0', 1.0c', '1.1'.\n"
      "   --timeout         -t       Timeout in seconds\n",
      out);
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a server closing mid-request is an error, not a kill
  static const option kLong[] = {{"use-ssl", no_argument, nullptr, 'S'},
                                 {"use-sni", no_argument, nullptr, 'I'},
                                 {"server", required_argument, nullptr, 's'},
                                 {"port", required_argument, nullptr, 'p'},
                                 {"url", required_argument, nullptr, 'u'},
                                 {"use-virtualhost", required_argument, nullptr, 'V'},
                                 {"verbose", no_argument, nullptr, 'v'},
                                 {"help", no_argument, nullptr, 'h'},
                                 {"fwmark", required_argument, nullptr, 'm'},
                                 {"protocol", required_argument, nullptr, 'P'},
                                 {"timeout", required_argument, nullptr, 't'},
                                 {nullptr, 0, nullptr, 0}};
  bool ssl = false, sni = false, verbose = false;
  std::string server, url, vhost, protocol = "1.0";
  int port = 0;
  double timeout = 5;
  std::optional<uint32_t> mark;
  int c;
  while ((c = getopt_long(argc, argv, "SIs:p:u:V:vhm:P:t:", kLong, nullptr)) != -1) {
    switch (c) {
      case 'S':
        ssl = true;
        break;
      case 'I':
        sni = true;
        break;
      case 's':
        server = optarg;
        break;
      case 'p':
        port = std::atoi(optarg);
        break;
      case 'u':
        url = optarg;
        break;
      case 'V':
        vhost = optarg;
        break;
      case 'v':
        verbose = true;
        break;
      case 'h':
        usage(stdout);
        return 0;
      case 'm':
        mark = static_cast<uint32_t>(std::strtoul(optarg, nullptr, 0));
        break;
      case 'P':
        protocol = optarg;
        if (protocol == "1.0c")
          protocol = "1.0C";
        if (protocol != "1.0" && protocol != "1.0C" && protocol != "1.1") {
          std::fprintf(stderr, "genhash: unknown protocol %s (1.0, 1.0c or 1.1)\n", optarg);
          return 1;
        }
        break;
      case 't':
        timeout = std::atof(optarg);
        break;
      default:
        usage(stderr);
        return 1;
    }
  }
  auto addr = vipd::IpAddress::parse(server);
  if (!addr || port <= 0 || port > 65535 || url.empty()) {
    std::fprintf(stderr, "genhash: -s ADDRESS, -p PORT and -u URL are required\n");
    usage(stderr);
    return 1;
  }
  vipd::check::Target target;
  target.addr = *addr;
  target.port = port;
  target.fwmark = mark;

  vipd::io::Loop loop;
  vipd::io::TimerSet timers(loop);
  SSL_CTX* ctx = ssl ? SSL_CTX_new(TLS_client_method()) : nullptr;
  if (ctx)
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  vipd::probe::Env env{loop, timers, ctx};
  const std::optional<std::string> host = vhost.empty() ? std::nullopt : std::optional(vhost);
  const std::string request = vipd::check::httpRequest(url, host, *addr, port, protocol);
  vipd::check::HttpResponseReader reader(true, 0);
  int rc = 1;
  std::string error;
  std::unique_ptr<vipd::probe::Stream> stream;
  auto end = [&] {
    stream->close();
    loop.stop();
  };
  vipd::probe::Stream::Callbacks cb;
  cb.connected = [&] { stream->send(request); };
  cb.data = [&](std::string_view d) {
    if (reader.feed(d) == vipd::check::HttpResponseReader::State::kError) {
      error = reader.error();
      end();
    } else if (reader.state() == vipd::check::HttpResponseReader::State::kDone) {
      rc = 0;
      end();
    }
  };
  cb.eof = [&] {
    if (reader.closed() == vipd::check::HttpResponseReader::State::kDone)
      rc = 0;
    else
      error = reader.error();
    end();
  };
  cb.failed = [&](std::string why) {
    error = std::move(why);
    end();
  };
  const auto deadline =
      vipd::io::monotonicNow() + vipd::io::Micros(static_cast<int64_t>(timeout * 1e6));
  stream = std::make_unique<vipd::probe::Stream>(env, target, ssl, sni ? vhost : "", deadline,
                                                 std::move(cb));
  loop.run();
  stream.reset();
  if (ctx)
    SSL_CTX_free(ctx);
  if (rc != 0) {
    std::fprintf(stderr, "Connection failed: %s\n", error.c_str());
    return 1;
  }
  if (verbose) {
    std::printf("HTTP status %d, body %zu bytes%s\n", reader.status(), reader.bodyBytes(),
                reader.contentLength() ? "" : " (no Content-Length)");
    std::printf("Request sent:\n%s", request.c_str());
  }
  std::printf("%s\n", reader.digestHex().c_str());
  return 0;
}
