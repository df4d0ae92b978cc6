// The keepalived.conf preprocessor, feature by feature (keepalived.conf(5) "ADVANCED
// CONFIGURATION").
#include <gtest/gtest.h>

#include "helpers.h"

namespace vipd::conf {
namespace {

using testing::lines;
using testing::MemFs;

std::string pp(const std::string& text, const std::string& id = "node1") {
  MemFs fs;
  Diagnostics d;
  auto out = preprocessText("/etc/k.conf", text, fs.options(id), d);
  EXPECT_FALSE(d.hasErrors()) << d.str();
  return lines(out);
}

TEST(Preprocess, StripsHashAndBangCommentsOutsideQuotes) {
  EXPECT_EQ(pp("a b # c\n! whole line\nd \"e # f\" ! g\n"), "a b \nd \"e # f\" \n");
}

TEST(Preprocess, HashAndBangParametersProduceLiterals) {
  EXPECT_EQ(pp("auth_pass x${_HASH}y${_BANG}\n"), "auth_pass x#y!\n");
}

TEST(Preprocess, ConditionalLines) {
  std::string text = "@main router_id a\n@backup router_id b\n@^main peer 1\n@^backup peer 2\n";
  EXPECT_EQ(pp(text, "main"), "router_id a\npeer 2\n");
  EXPECT_EQ(pp(text, "backup"), "router_id b\npeer 1\n");
  EXPECT_EQ(pp(text, "other"), "peer 1\npeer 2\n");
}

TEST(Preprocess, ConditionalLineKeepsColumns) {
  MemFs fs;
  Diagnostics d;
  auto out = preprocessText("/k", "@main priority 1\n", fs.options("main"), d);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text.find("priority"), 6u);  // blanked, not removed
}

TEST(Preprocess, ParametersExpandAtUseTimeAndRecursively) {
  std::string text =
      "$ADDRESS_BASE=10.2.${ADDRESS_BASE_SUB}\n"
      "$ADDRESS_BASE_SUB=0\n"
      "${ADDRESS_BASE}.100/32\n"
      "$ADDRESS_BASE_SUB=10\n"
      "${ADDRESS_BASE}.100/32\n";
  EXPECT_EQ(pp(text), "10.2.0.100/32\n10.2.10.100/32\n");
}

TEST(Preprocess, BareParameterNeedsTrailingSpaceAndUndefinedStays) {
  EXPECT_EQ(pp("$P=240\npriority $P\nx $Pfoo ${UNDEF} $UNDEF\n"),
            "priority 240\nx $Pfoo ${UNDEF} $UNDEF\n");
}

TEST(Preprocess, ParameterCanHoldAConditional) {
  EXPECT_EQ(pp("$IF_MAIN=@main\n$IF_MAIN priority 240\n", "main"), "priority 240\n");
  EXPECT_EQ(pp("$IF_MAIN=@main\n$IF_MAIN priority 240\n", "other"), "");
}

TEST(Preprocess, MultiLineDefinitionsExpandToLinesAndNest) {
  std::string text =
      "$RS= \\\n"
      "real_server 10.0.0.${N} 80 { \\\n"
      "   weight 1 \\\n"
      "\n"
      "}\n"
      "$VS= \\\n"
      "virtual_server 10.0.0.1 80 { \\\n"
      "  $N=1 \\\n"
      "  $RS \\\n"
      "  $N=2 \\\n"
      "  $RS \\\n"
      "}\n"
      "$VS\n";
  EXPECT_EQ(pp(text),
            "virtual_server 10.0.0.1 80 {\n"
            "real_server 10.0.0.1 80 {\nweight 1\n}\n"
            "real_server 10.0.0.2 80 {\nweight 1\n}\n"
            "}\n");
}

TEST(Preprocess, SequenceForms) {
  EXPECT_EQ(pp("~SEQ(S, 0, 3) ip 10.0.${S}.1\n"),
            "ip 10.0.0.1\nip 10.0.1.1\nip 10.0.2.1\nip 10.0.3.1\n");
  EXPECT_EQ(pp("~SEQ(S, 2) a${S}\n"), "a1\na2\n");
  EXPECT_EQ(pp("~SEQ(S, 3, 1) a${S}\n"), "a3\na2\na1\n");
  EXPECT_EQ(pp("~SEQ(S, 10, -4, 1) a${S}\n"), "a10\na6\na2\n");
  EXPECT_EQ(pp("~SEQx(S, 0x90, 0x10, 0xc0) fe80::20:${S}:1\n"),
            "fe80::20:90:1\nfe80::20:a0:1\nfe80::20:b0:1\nfe80::20:c0:1\n");
}

TEST(Preprocess, NestedSequencesAndLists) {
  EXPECT_EQ(pp("~LST({IP, IP1}, {10,1},{20,4}) ~SEQ(IP2,168,2,170) 192.${IP2}.${IP}.${IP1}\n"),
            "192.168.10.1\n192.170.10.1\n192.168.20.4\n192.170.20.4\n");
  // `$NAME` followed by whitespace expands even when glued to a word before it.
  EXPECT_EQ(pp("~LST(V, a, b) x$V y\n"), "xa y\nxb y\n");
  EXPECT_EQ(pp("~LST(V, a, b) x ${V}\n"), "x a\nx b\n");
}

TEST(Preprocess, PredefinedNames) {
  EXPECT_EQ(pp("p ${_PWD}\ni ${_INSTANCE}\n", "box"), "p /etc\ni box\n");
  std::string r = pp("${_RANDOM 5 5}\n");
  EXPECT_EQ(r, "5\n");
}

TEST(Preprocess, IncludeRelativeToIncludingFileWithGlob) {
  MemFs fs;
  fs.files["/etc/k/main.conf"] = "a\ninclude conf.d/*.conf\nb\n";
  fs.files["/etc/k/conf.d/1.conf"] = "one ${_PWD}\ninclude ../leaf\n";
  fs.files["/etc/k/conf.d/2.conf"] = "two\n";
  fs.files["/etc/k/conf.d/../leaf"] = "leaf\n";  // the fake glob does not normalize
  Diagnostics d;
  auto out = preprocessFile("/etc/k/main.conf", fs.options(), d);
  EXPECT_FALSE(d.hasErrors()) << d.str();
  EXPECT_EQ(lines(out), "a\none /etc/k/conf.d\nleaf\ntwo\nb\n");
  EXPECT_EQ(*out[1].loc.file, "/etc/k/conf.d/1.conf");
  EXPECT_EQ(out[1].loc.line, 1);
}

// keepalived 2.2.7's matrix (tests/corpus/include_variants.sh checks it against keepalived on
// real files): `include` logs a missing file and goes on, `includem` refuses it; an empty
// wildcard is nothing for `include`, an error for `includew`.
TEST(Preprocess, IncludeVariantsFollowKeepalived) {
  MemFs fs;
  fs.files["/k/main.conf"] =
      "include nothere.conf\ninclude conf.d/*.conf\nincludew w/*.conf\nincludem gone.conf\n";
  Diagnostics d;
  preprocessFile("/k/main.conf", fs.options(), d);
  ASSERT_EQ(d.errorCount(), 2) << d.str();
  ASSERT_EQ(d.all().size(), 3u) << d.str();
  EXPECT_EQ(d.all()[0].loc.line, 1);
  EXPECT_EQ(d.all()[0].severity, Severity::kWarning);
  EXPECT_NE(d.all()[0].message.find("does not exist; skipped, as keepalived does (includem"),
            std::string::npos)
      << d.str();
  EXPECT_EQ(d.all()[1].loc.line, 3);
  EXPECT_NE(d.all()[1].message.find("matches no file"), std::string::npos);
  EXPECT_EQ(d.all()[2].loc.line, 4);
  EXPECT_NE(d.all()[2].message.find("does not exist"), std::string::npos);
}

TEST(Preprocess, IncludeCheckAppliesToLaterIncludes) {
  MemFs fs;
  fs.files["/k/main.conf"] =
      "include a.conf\ninclude_check match\ninclude b.conf\ninclude_check -match\n"
      "include c.conf\ninclude_check bogus\n";
  Diagnostics d;
  auto out = preprocessFile("/k/main.conf", fs.options(), d);
  ASSERT_EQ(d.errorCount(), 2) << d.str();
  int lines_with_errors = 0;
  for (const auto& x : d.all()) {
    if (x.severity == Severity::kError)
      lines_with_errors += x.loc.line;
  }
  EXPECT_EQ(lines_with_errors, 3 + 6);  // b.conf under `match`; the unknown check
  EXPECT_EQ(lines(out), "include_check match\ninclude_check -match\ninclude_check bogus\n");
}

TEST(Preprocess, IncludeLoopIsBounded) {
  MemFs fs;
  fs.files["/k/a.conf"] = "include a.conf\n";
  Diagnostics d;
  preprocessFile("/k/a.conf", fs.options(), d);
  EXPECT_TRUE(d.hasErrors());
}

TEST(Preprocess, DoublingIncludeIsBounded) {
  MemFs fs;
  fs.files["/k/a.conf"] = "x\ninclude a.conf\ninclude a.conf\n";
  auto o = fs.options();
  o.max_includes = 100;
  Diagnostics d;
  auto out = preprocessFile("/k/a.conf", o, d);
  EXPECT_TRUE(d.hasErrors());
  EXPECT_LE(out.size(), 101u);
}

TEST(Preprocess, RecursiveParameterIsAnError) {
  MemFs fs;
  Diagnostics d;
  preprocessText("/k", "$A=${A}x\n${A}\n", fs.options(), d);
  EXPECT_TRUE(d.hasErrors());
}

TEST(Preprocess, SequenceBlowUpIsBounded) {
  MemFs fs;
  auto o = fs.options();
  o.max_lines = 1000;
  Diagnostics d;
  auto out = preprocessText("/k", "~SEQ(A,1,100000) x\n", o, d);
  EXPECT_TRUE(d.hasErrors());
  EXPECT_LE(out.size(), 1000u);
}

TEST(Preprocess, BadSequenceSyntaxIsReported) {
  MemFs fs;
  for (auto bad : {"~SEQ(A) x\n", "~SEQ(A, 1, 0, 5) x\n", "~SEQ(A, z) x\n", "~SEQ(A, 1 x\n",
                   "~LST(A) x\n", "~LST({A,B}, {1}) x\n"}) {
    Diagnostics d;
    preprocessText("/k", bad, fs.options(), d);
    EXPECT_TRUE(d.hasErrors()) << bad;
  }
}

}  // namespace
}  // namespace vipd::conf
