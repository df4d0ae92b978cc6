#pragma once
// Stage 2 of the config pipeline: tokens and the generic block tree.
//
// keepalived.conf is line-oriented: a statement is a keyword and its arguments up to the end
// of the line, and `{ ... }` opens a block of statements (on the same line or the next one).
// Entries of list blocks (`virtual_ipaddress { 10.0.0.1/24 dev eth0 }`) are statements too,
// whose keyword is the first word. The tree knows nothing of keepalived's keywords; the
// schema binder (schema.h) gives it meaning.

#include <string>
#include <vector>

#include "base/diag.h"
#include "conf/preprocess.h"

namespace vipd::conf {

struct Token {
  std::string text;  // quotes removed, escapes applied
  SourceLoc loc;
  bool quoted = false;
};

struct Node {
  Token key;
  std::vector<Token> args;
  std::vector<Node> children;
  bool has_block = false;
  int comment_col = 0, comment_brace_col = 0;  // of its line (see Line)
  SourceLoc loc() const { return key.loc; }
  // "" or why a '{' the reader sees on this line does not count: it is inside a comment.
  std::string commentedBraceNote() const;
  // All arguments joined by single spaces (for commands written without quotes).
  std::string argsText(size_t from = 0) const;
};

// Splits one logical line into tokens. Quotes may join parts of one word (`ab"c d"e` is one
// word `abc de`); backslash escapes are applied inside quotes, as keepalived does.
std::vector<Token> tokenizeLine(const Line& line, Diagnostics& diags);

// Builds the block tree from preprocessed lines. Unbalanced braces are errors at the spot.
// " (the '{' at column B of line L is inside the comment that starts at column C)", or "".
std::string commentedBraceNote(int line, int comment_col, int brace_col);

std::vector<Node> parseTree(const std::vector<Line>& lines, Diagnostics& diags);

}  // namespace vipd::conf
