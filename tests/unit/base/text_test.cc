#include "base/text.h"

#include <gtest/gtest.h>

namespace vipd {
namespace {

TEST(Text, ParsesKeepalivedTimers) {
  EXPECT_EQ(parseSecondsToMicros("1"), 1'000'000);
  EXPECT_EQ(parseSecondsToMicros("0.01"), 10'000);
  EXPECT_EQ(parseSecondsToMicros("2.71828"), 2'718'280);
  EXPECT_EQ(parseSecondsToMicros(".5"), 500'000);
  EXPECT_EQ(parseSecondsToMicros("1.0000019"), 1'000'001);  // beyond us is dropped
  EXPECT_FALSE(parseSecondsToMicros("-1"));
  EXPECT_FALSE(parseSecondsToMicros("1s"));
  EXPECT_FALSE(parseSecondsToMicros(""));
  EXPECT_FALSE(parseSecondsToMicros("."));
}

TEST(Text, FormatsSecondsWithoutTrailingZeros) {
  EXPECT_EQ(formatMicrosAsSeconds(1'000'000), "1");
  EXPECT_EQ(formatMicrosAsSeconds(1'500'000), "1.5");
  EXPECT_EQ(formatMicrosAsSeconds(10'000), "0.01");
  EXPECT_EQ(formatMicrosAsSeconds(1), "0.000001");
}

TEST(Text, ParsesBoolsAndInts) {
  EXPECT_EQ(parseBool("on"), true);
  EXPECT_EQ(parseBool("YES"), true);
  EXPECT_EQ(parseBool("off"), false);
  EXPECT_FALSE(parseBool("1"));
  EXPECT_EQ(parseInt("-42"), -42);
  EXPECT_EQ(parseInt("0x10", true), 16);
  EXPECT_FALSE(parseInt("0x10"));
  EXPECT_FALSE(parseInt("12a"));
}

TEST(Text, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(quoteIfNeeded("plain"), "plain");
  EXPECT_EQ(quoteIfNeeded("a b"), "\"a b\"");
  EXPECT_EQ(quoteIfNeeded("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(quoteIfNeeded(""), "\"\"");
  EXPECT_EQ(quoteIfNeeded("a#b"), "\"a#b\"");
}

}  // namespace
}  // namespace vipd

namespace vipd {
namespace {
TEST(Text, QuotesWordsThePreprocessorWouldReadAsDirectives) {
  // Found by conf_fuzz: a notification_email entry "~SEQMAS..." printed alone on a line
  // became a ~SEQ directive when the dump was read back.
  EXPECT_EQ(quoteIfNeeded("~SEQx"), "\"~SEQx\"");
  EXPECT_EQ(quoteIfNeeded("@main"), "\"@main\"");
  EXPECT_EQ(quoteIfNeeded("include"), "\"include\"");
  EXPECT_EQ(quoteIfNeeded("includea"), "\"includea\"");
  EXPECT_EQ(quoteIfNeeded("included"), "included");
  EXPECT_EQ(quoteIfNeeded("a~b@c"), "a~b@c");
}

TEST(Text, SplitDropsEmptyPieces) {
  EXPECT_EQ(split("a,,b,", ','), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(split("", ',').empty());
  EXPECT_EQ(split("one", ','), std::vector<std::string>{"one"});
}
}  // namespace
}  // namespace vipd
