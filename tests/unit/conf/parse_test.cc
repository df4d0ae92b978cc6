// Tokens, blocks and error locations.
#include <gtest/gtest.h>

#include "conf/ast.h"
#include "helpers.h"

namespace vipd::conf {
namespace {

std::vector<Token> tok(const std::string& s) {
  Diagnostics d;
  auto t = tokenizeLine(Line{s, SourceLoc{nullptr, 1, 1}, false}, d);
  EXPECT_FALSE(d.hasErrors()) << d.str();
  return t;
}

TEST(Tokenize, QuotesJoinWordsAndKeepInnerSpace) {
  auto t = tok(R"(abcd" efg h jkl "mnop 'x y' z)");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].text, "abcd efg h jkl mnop");
  EXPECT_EQ(t[1].text, "x y");
  EXPECT_TRUE(t[1].quoted);
  EXPECT_EQ(t[2].text, "z");
}

TEST(Tokenize, EscapesInsideQuotes) {
  auto t = tok(R"("a\tb\x41\101\"q\\" 'it\'s')");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].text, "a\tbAA\"q\\");
  EXPECT_EQ(t[1].text, "it's");
}

TEST(Tokenize, DoubleQuotesKeepSingleQuotesForArgvSplitting) {
  auto t = tok(R"(notify "/bin/x.sh 'two words' b")");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(splitCommand(t[1].text), (std::vector<std::string>{"/bin/x.sh", "two words", "b"}));
}

TEST(Tokenize, BracesAreTokensUnlessQuoted) {
  auto t = tok(R"(a { b "}" })");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[1].text, "{");
  EXPECT_FALSE(t[3].quoted && t[3].text == "}" && false);
  EXPECT_TRUE(t[3].quoted);
  EXPECT_EQ(t[4].text, "}");
  EXPECT_EQ(t[2].loc.col, 5);
}

TEST(Tokenize, UnterminatedQuoteIsAnError) {
  Diagnostics d;
  tokenizeLine(Line{"a \"b", SourceLoc{nullptr, 7, 1}, false}, d);
  ASSERT_TRUE(d.hasErrors());
  EXPECT_EQ(d.all()[0].loc.line, 7);
  EXPECT_EQ(d.all()[0].loc.col, 3);
}

std::vector<Node> tree(const std::string& text, Diagnostics& d) {
  testing::MemFs fs;
  return parseTree(preprocessText("/k.conf", text, fs.options(), d), d);
}

TEST(ParseTree, BlocksOnOneLineOrBraceOnNextLine) {
  Diagnostics d;
  auto t = tree("a { b 1 } c\nd\n{\n e\n}\n", d);
  EXPECT_FALSE(d.hasErrors()) << d.str();
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].key.text, "a");
  ASSERT_EQ(t[0].children.size(), 1u);
  EXPECT_EQ(t[0].children[0].argsText(), "1");
  EXPECT_EQ(t[1].key.text, "c");
  EXPECT_FALSE(t[1].has_block);
  EXPECT_TRUE(t[2].has_block);
  EXPECT_EQ(t[2].children[0].key.text, "e");
}

TEST(ParseTree, UnbalancedBracesAreReportedWhereTheyAre) {
  Diagnostics d;
  tree("a {\n b {\n}\n", d);
  ASSERT_EQ(d.errorCount(), 1);
  EXPECT_EQ(d.all()[0].loc.line, 1);
  EXPECT_NE(d.all()[0].message.find("never closed"), std::string::npos);

  Diagnostics d2;
  tree("a\n  }\n", d2);
  ASSERT_EQ(d2.errorCount(), 1);
  EXPECT_EQ(d2.all()[0].str(), "/k.conf:2:3: error: '}' without a matching '{'");
}

// Seed 003's second example: the '{' is at the end of a comment. Both errors say where it is.
TEST(ParseTree, BraceInsideACommentIsNamed) {
  auto r = testing::load(
      "vrrp_instance VI_102 # the cluster's name {\n    state MASTER # or BACKUP\n}\n");
  ASSERT_TRUE(r.diags.hasErrors());
  const std::string note =
      "the '{' at column 43 of line 1 is inside the comment that starts at column 22";
  int noted = 0;
  for (const auto& d : r.diags.all()) {
    if (d.message.find(note) != std::string::npos)
      ++noted;
  }
  EXPECT_EQ(noted, 2) << r.diags.str();  // the '}' at line 3 and the block missing at line 1
  EXPECT_NE(r.diags.str().find("vipd.conf:3:1: error: '}' without a matching '{' (the '{'"),
            std::string::npos)
      << r.diags.str();
}

TEST(ParseTree, DiagnosticNamesFileLineColumn) {
  auto r = testing::load("vrrp_instance V {\n  priority 300\n}\n");
  ASSERT_TRUE(r.diags.hasErrors());
  EXPECT_EQ(r.diags.all()[0].str(),
            "/etc/vipd/vipd.conf:2:12: error: '300': expected an integer in 1..255");
}

TEST(ParseTree, UnknownKeywordIsAnErrorUnlessLenient) {
  auto strict = testing::load("global_defs {\n  router_idd x\n}\n");
  ASSERT_EQ(strict.diags.errorCount(), 1);
  EXPECT_EQ(strict.diags.all()[0].str(),
            "/etc/vipd/vipd.conf:2:3: error: unknown keyword 'router_idd' in global_defs");
  auto lenient = testing::load("global_defs {\n  router_idd x\n}\n", true);
  EXPECT_EQ(lenient.diags.errorCount(), 0);
  EXPECT_EQ(lenient.diags.warningCount(), 1);
}

TEST(ParseTree, IncludedFileErrorsNameThatFile) {
  testing::MemFs fs;
  fs.files["/k/main.conf"] = "include inc.conf\n";
  fs.files["/k/inc.conf"] = "\nvrrp_instance X {\n  bogus 1\n}\n";
  auto r = loadFile("/k/main.conf", fs.options(), false);
  ASSERT_TRUE(r.diags.hasErrors());
  EXPECT_EQ(r.diags.all()[0].loc.str(), "/k/inc.conf:3:3");
}

// A reload compares the preprocessed text with the running configuration's: the same text
// (comments and includes do not count, only what they expand to) is not parsed again.
TEST(ParseTree, AReloadThatReadsTheSameStopsAfterPreprocessing) {
  testing::MemFs fs;
  fs.files["/k/main.conf"] = "include inc.conf\nglobal_defs {\n  router_id a\n}\n";
  fs.files["/k/inc.conf"] =
      "vrrp_instance X {\n  interface eth0\n  virtual_router_id 1\n"
      "  priority 100\n  virtual_ipaddress {\n    10.0.0.1\n  }\n}\n";
  auto first = loadFile("/k/main.conf", fs.options(), false);
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first.text.empty());
  EXPECT_FALSE(first.unchanged) << "nothing to compare with";
  auto same = loadFile("/k/main.conf", fs.options(), false, &first.text);
  EXPECT_TRUE(same.ok());
  EXPECT_TRUE(same.unchanged);
  EXPECT_TRUE(same.config.instances.empty()) << "not parsed";
  fs.files["/k/main.conf"] =
      "# a comment\ninclude inc.conf\nglobal_defs {\n  router_id a # ok\n}\n";
  EXPECT_TRUE(loadFile("/k/main.conf", fs.options(), false, &first.text).unchanged);
  fs.files["/k/inc.conf"] +=
      "vrrp_instance Y {\n  interface eth0\n  virtual_router_id 2\n"
      "  priority 100\n  virtual_ipaddress {\n    10.0.0.2\n  }\n}\n";
  auto changed = loadFile("/k/main.conf", fs.options(), false, &first.text);
  EXPECT_FALSE(changed.unchanged) << "an included file changed";
  EXPECT_EQ(changed.config.instances.size(), 2u);
  fs.files["/k/inc.conf"] = "vrrp_instance X {\n  bogus 1\n}\n";
  auto broken = loadFile("/k/main.conf", fs.options(), false, &first.text);
  EXPECT_FALSE(broken.unchanged);
  EXPECT_FALSE(broken.ok());
}

TEST(ParseTree, MissingMainFileIsReported) {
  testing::MemFs fs;
  auto r = loadFile("/nope.conf", fs.options(), false);
  EXPECT_TRUE(r.file_missing);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace vipd::conf
