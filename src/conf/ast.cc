#include "conf/ast.h"

#include <fmt/format.h>

namespace vipd::conf {
namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Applies one shell-like escape starting after the backslash at s[i]; returns the index of
// the last character consumed. \a \b \E \f \n \r \t \v \nnn (octal) \xHH \cC; \C = C.
size_t applyEscape(const std::string& s, size_t i, std::string& out) {
  if (i >= s.size())
    return i - 1;
  char c = s[i];
  switch (c) {
    case 'a':
      out += '\a';
      return i;
    case 'b':
      out += '\b';
      return i;
    case 'E':
      out += '\x1b';
      return i;
    case 'f':
      out += '\f';
      return i;
    case 'n':
      out += '\n';
      return i;
    case 'r':
      out += '\r';
      return i;
    case 't':
      out += '\t';
      return i;
    case 'v':
      out += '\v';
      return i;
    case 'c':
      if (i + 1 < s.size()) {
        out += static_cast<char>(s[i + 1] & 0x1f);
        return i + 1;
      }
      out += c;
      return i;
    case 'x': {
      int v = 0, n = 0;
      while (i + 1 < s.size() && n < 2 && hexValue(s[i + 1]) >= 0)
        v = v * 16 + hexValue(s[++i]), ++n;
      if (n == 0)
        out += 'x';
      else
        out += static_cast<char>(v);
      return i;
    }
    default:
      if (c >= '0' && c <= '7') {
        int v = c - '0', n = 1;
        while (i + 1 < s.size() && n < 3 && s[i + 1] >= '0' && s[i + 1] <= '7') {
          v = v * 8 + (s[++i] - '0');
          ++n;
        }
        out += static_cast<char>(v & 0xff);
        return i;
      }
      out += c;
      return i;
  }
}

}  // namespace

std::string Node::argsText(size_t from) const {
  std::string out;
  for (size_t i = from; i < args.size(); ++i) {
    if (i > from)
      out += ' ';
    out += args[i].text;
  }
  return out;
}

std::string commentedBraceNote(int line, int comment_col, int brace_col) {
  if (brace_col == 0)
    return "";
  return fmt::format(
      " (the '{{' at column {} of line {} is inside the comment that starts at column {}; a "
      "comment runs to the end of the line, so put the '{{' before the '#' or '!')",
      brace_col, line, comment_col);
}

std::string Node::commentedBraceNote() const {
  return conf::commentedBraceNote(key.loc.line, comment_col, comment_brace_col);
}

std::vector<Token> tokenizeLine(const Line& line, Diagnostics& diags) {
  std::vector<Token> out;
  const std::string& s = line.text;
  size_t i = 0;
  auto locAt = [&](size_t idx) {
    SourceLoc l = line.loc;
    l.col = line.expanded ? 1 : line.loc.col + static_cast<int>(idx);
    return l;
  };
  while (i < s.size()) {
    if (isSpace(s[i])) {
      ++i;
      continue;
    }
    if (s[i] == '{' || s[i] == '}') {
      out.push_back(Token{std::string(1, s[i]), locAt(i), false});
      ++i;
      continue;
    }
    Token tok{"", locAt(i), false};
    while (i < s.size() && !isSpace(s[i]) && s[i] != '{' && s[i] != '}') {
      if (s[i] == '"' || s[i] == '\'') {
        char q = s[i++];
        tok.quoted = true;
        bool closed = false;
        while (i < s.size()) {
          if (s[i] == '\\') {
            i = applyEscape(s, i + 1, tok.text) + 1;
            continue;
          }
          if (s[i] == q) {
            closed = true;
            ++i;
            break;
          }
          tok.text += s[i++];
        }
        if (!closed)
          diags.error(tok.loc, "unterminated quoted string");
        continue;
      }
      tok.text += s[i++];
    }
    out.push_back(std::move(tok));
  }
  return out;
}

std::vector<Node> parseTree(const std::vector<Line>& lines, Diagnostics& diags) {
  std::vector<Node> top;
  std::vector<Node*> open;  // blocks being filled, innermost last
  auto siblings = [&]() -> std::vector<Node>& {
    return open.empty() ? top : open.back()->children;
  };
  // The statement finished on the previous line, which a `{` at the start of a line opens.
  bool last_can_open = false;
  const Line* commented_open = nullptr;  // the last line with a '{' inside its comment

  for (const auto& line : lines) {
    auto tokens = tokenizeLine(line, diags);
    Node cur;
    bool have = false;
    auto flush = [&]() {
      if (have)
        siblings().push_back(std::move(cur));
      cur = Node{};
      have = false;
    };
    for (auto& tok : tokens) {
      bool brace = !tok.quoted && (tok.text == "{" || tok.text == "}");
      if (brace && tok.text == "{") {
        if (have) {
          cur.has_block = true;
          siblings().push_back(std::move(cur));
          cur = Node{};
          have = false;
          open.push_back(&siblings().back());
        } else if (last_can_open && !siblings().empty() && !siblings().back().has_block) {
          siblings().back().has_block = true;
          open.push_back(&siblings().back());
        } else {
          diags.error(tok.loc, "'{' without a keyword before it");
        }
        last_can_open = false;
        continue;
      }
      last_can_open = false;
      if (brace) {
        flush();
        if (open.empty()) {
          std::string note;
          if (commented_open) {
            note = commentedBraceNote(commented_open->loc.line, commented_open->comment_col,
                                      commented_open->comment_brace_col);
          }
          diags.error(tok.loc, "'}' without a matching '{'" + note);
        } else {
          open.pop_back();
        }
        continue;
      }
      if (!have) {
        cur.key = std::move(tok);
        cur.comment_col = line.comment_col;
        cur.comment_brace_col = line.comment_brace_col;
        have = true;
      } else {
        cur.args.push_back(std::move(tok));
      }
    }
    if (have) {
      flush();
      last_can_open = true;
    }
    if (line.comment_brace_col)
      commented_open = &line;
  }
  for (auto* n : open) {
    diags.error(n->key.loc, fmt::format("block '{}' is never closed (missing '}}')", n->key.text));
  }
  return top;
}

}  // namespace vipd::conf
