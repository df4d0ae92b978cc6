// Pure pieces of tracking and notification: rise/fall as keepalived 2.2.7 behaves (checked
// in a namespace), the argv a command becomes, and the SMTP client dialogue.
#include <gtest/gtest.h>

#include "core/mail.h"
#include "core/script_argv.h"
#include "core/tracker_state.h"

namespace vipd::core {
namespace {

TEST(RiseFall, FirstResultDecidesAtOnce) {
  RiseFall r(3, 3, false);
  EXPECT_FALSE(r.known());
  EXPECT_TRUE(r.up());  // unknown counts as up for weights
  EXPECT_TRUE(r.record(false));
  EXPECT_TRUE(r.known());
  EXPECT_FALSE(r.up());
}

TEST(RiseFall, ThenNeedsRiseSuccessesAndFallFailures) {
  RiseFall r(2, 3, false);
  r.record(true);
  EXPECT_FALSE(r.record(false));
  EXPECT_FALSE(r.record(false));
  EXPECT_TRUE(r.up());
  EXPECT_TRUE(r.record(false));  // third consecutive failure
  EXPECT_FALSE(r.up());
  EXPECT_FALSE(r.record(true));
  EXPECT_FALSE(r.record(false));  // the streak is broken
  EXPECT_FALSE(r.record(true));
  EXPECT_TRUE(r.record(true));
  EXPECT_TRUE(r.up());
}

TEST(RiseFall, InitFailStartsKnownFailedAndMustRise) {
  RiseFall r(2, 1, true);
  EXPECT_TRUE(r.known());
  EXPECT_FALSE(r.up());
  EXPECT_FALSE(r.record(true));
  EXPECT_TRUE(r.record(true));
  EXPECT_TRUE(r.up());
}

TEST(Quorum, MinAndMax) {
  EXPECT_FALSE(quorumHolds(0, 1, std::nullopt));
  EXPECT_TRUE(quorumHolds(5, 1, std::nullopt));
  EXPECT_TRUE(quorumHolds(2, 2, 3));
  EXPECT_FALSE(quorumHolds(4, 2, 3));
}

TEST(ScriptArgv, PlainCommandsAreExecedWithoutAShell) {
  EXPECT_FALSE(needsShell("/usr/bin/curl -sf http://127.0.0.1/"));
  EXPECT_EQ(commandArgv("/bin/check 'a b' \"c d\"", {"INSTANCE", "VI_1"}),
            (std::vector<std::string>{"/bin/check", "a b", "c d", "INSTANCE", "VI_1"}));
  // Shell characters inside quotes are data, not syntax.
  EXPECT_FALSE(needsShell("/bin/echo 'a|b;c>d'"));
}

// keepalived 2.x: a command whose first word is a program is exec'ed with its words as
// they are, whatever they contain; no configured value reaches a shell.
TEST(ScriptArgv, AProgramGetsItsWordsLiterallyEvenWithShellSyntax) {
  const IsProgram known = [](const std::string& w) { return w == "/etc/notify.sh"; };
  EXPECT_EQ(commandArgv("/etc/notify.sh a;touch /x $(id) `id` 'two words'", {"INSTANCE"}, known),
            (std::vector<std::string>{"/etc/notify.sh", "a;touch", "/x", "$(id)", "`id`",
                                      "two words", "INSTANCE"}));
  // Not a program: keepalived 1.x's shell forms still run under sh.
  EXPECT_EQ(commandArgv("</dev/tcp/127.0.0.1/80", {}, known).front(), "/bin/sh");
}

TEST(ScriptArgv, ShellSyntaxRunsUnderShWithArgumentsAsPositionalParameters) {
  EXPECT_TRUE(needsShell("</dev/tcp/127.0.0.1/80"));
  EXPECT_TRUE(needsShell("killall -0 nginx || exit 1"));
  EXPECT_TRUE(needsShell("test -f $HOME/x"));
  EXPECT_TRUE(needsShell("echo \"$HOME\""));
  // The appended values are never pasted into the command text: a hostile instance name
  // stays one argument.
  auto argv = commandArgv("pidof nginx | grep -q .", {"INSTANCE", "x; rm -rf /"});
  ASSERT_EQ(argv.size(), 6u);
  EXPECT_EQ(argv[0], "/bin/sh");
  EXPECT_EQ(argv[1], "-c");
  EXPECT_EQ(argv[2], "pidof nginx | grep -q . \"$@\"");
  EXPECT_EQ(argv[5], "x; rm -rf /");
  EXPECT_EQ(commandArgv("a && b")[2], "a && b");
}

TEST(Mail, DataIsCrlfDotStuffedAndTerminated) {
  Mail m{"vipd <vipd@r1>", {"ops@example.test", "Two <two@example.test>"}, "subject", ".x\ny\n"};
  const std::string d = mailData(m, "Mon, 23 Nov 2026 00:00:00 +0000");
  EXPECT_NE(d.find("To: ops@example.test, Two <two@example.test>\r\n"), std::string::npos);
  EXPECT_NE(d.find("\r\n\r\n..x\r\ny\r\n.\r\n"), std::string::npos);
  EXPECT_EQ(envelopeAddress("Two <two@example.test>"), "<two@example.test>");
  EXPECT_EQ(envelopeAddress("ops@example.test"), "<ops@example.test>");
}

TEST(Mail, DialogueFollowsRfc5321) {
  Mail m{"a@x", {"b@y", "c@z"}, "s", "body"};
  SmtpDialogue d("r1", m, "DATA-TEXT");
  EXPECT_EQ(d.receive("220 hi\r\n"), "HELO r1\r\n");
  EXPECT_EQ(d.receive("250-first\r\n250 ok\r\n"), "MAIL FROM:<a@x>\r\n");
  EXPECT_EQ(d.receive("250 ok\r\n"), "RCPT TO:<b@y>\r\n");
  EXPECT_EQ(d.receive("250 ok\r\n"), "RCPT TO:<c@z>\r\n");
  EXPECT_EQ(d.receive("25"), "");  // a reply split across reads
  EXPECT_EQ(d.receive("0 ok\r\n"), "DATA\r\n");
  EXPECT_EQ(d.receive("354 go\r\n"), "DATA-TEXT");
  EXPECT_EQ(d.receive("250 queued\r\n"), "QUIT\r\n");
  EXPECT_FALSE(d.done());
  d.receive("221 bye\r\n");
  EXPECT_TRUE(d.done());
}

TEST(Mail, RefusalsFailWithTheServersWords) {
  Mail m{"a@x", {"b@y"}, "s", "body"};
  SmtpDialogue d("r1", m, "D");
  d.receive("220 hi\r\n");
  d.receive("250 ok\r\n");
  d.receive("550 no such sender\r\n");
  EXPECT_TRUE(d.failed());
  EXPECT_EQ(d.error(), "MAIL FROM refused: 550 no such sender");
  SmtpDialogue bad("r1", m, "D");
  bad.receive("xyz garbage\r\n");
  EXPECT_TRUE(bad.failed());
}

}  // namespace
}  // namespace vipd::core
