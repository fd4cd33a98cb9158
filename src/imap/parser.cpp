#include "mailferry/imap/parser.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace mailferry::imap {
namespace {

struct Scan {
  enum Kind { Complete, Literal, Failed } kind = Complete;
  std::uint64_t literal_size = 0;
  ResponseParser::ParseError error = ResponseParser::ParseError::None;
  std::string message;
};

Scan scan_failed(ResponseParser::ParseError error, std::string message) {
  Scan s;
  s.kind = Scan::Failed;
  s.error = error;
  s.message = std::move(message);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Parses "{123}", "{123+}" or "{123-}" ending exactly at the end of `line`.
Scan scan_literal_marker(std::string_view line, std::size_t pos, std::uint64_t max_literal) {
  std::size_t open = pos;
  ++pos;  // '{'
  std::uint64_t size = 0;
  std::size_t digits = 0;
  while (pos < line.size() && line[pos] >= '0' && line[pos] <= '9') {
    if (++digits > 19)
      return scan_failed(ResponseParser::ParseError::LiteralTooBig, "literal size overflows");
    size = size * 10 + static_cast<std::uint64_t>(line[pos] - '0');
    ++pos;
  }
  if (digits == 0)
    return scan_failed(ResponseParser::ParseError::Syntax,
                       "'{' without a literal size at column " + std::to_string(open + 1));
  if (pos < line.size() && (line[pos] == '+' || line[pos] == '-')) ++pos;
  if (pos >= line.size() || line[pos] != '}')
    return scan_failed(ResponseParser::ParseError::Syntax,
                       "malformed literal at column " + std::to_string(open + 1));
  if (pos + 1 != line.size())
    return scan_failed(ResponseParser::ParseError::Syntax,
                       "literal marker not at the end of the line");
  if (size > max_literal)
    return scan_failed(ResponseParser::ParseError::LiteralTooBig,
                       "literal of " + std::to_string(size) + " bytes exceeds the limit of " +
                           std::to_string(max_literal));
  Scan s;
  s.kind = Scan::Literal;
  s.literal_size = size;
  return s;
}

// Tokenises values from `line` at `pos` into the open lists on `stack`.
// Lists may stay open only when the line ends in a literal marker.
Scan scan_values(std::string_view line, std::size_t pos, std::vector<std::vector<Value>>& stack,
                 std::size_t max_depth, bool allow_literal, std::uint64_t max_literal) {
  using PE = ResponseParser::ParseError;
  const std::size_t n = line.size();
  while (pos < n) {
    char c = line[pos];
    if (c == ' ') {
      ++pos;
      continue;
    }
    if (c == '(') {
      if (stack.size() > max_depth)
        return scan_failed(PE::TooDeep, "lists nested deeper than " + std::to_string(max_depth));
      stack.emplace_back();
      ++pos;
      continue;
    }
    if (c == ')') {
      if (stack.size() <= 1)
        return scan_failed(PE::Syntax, "unbalanced ')' at column " + std::to_string(pos + 1));
      Value list;
      list.kind = Value::Kind::List;
      list.items = std::move(stack.back());
      stack.pop_back();
      stack.back().push_back(std::move(list));
      ++pos;
      continue;
    }
    if (c == '"') {
      std::size_t open = pos++;
      Value v;
      v.kind = Value::Kind::String;
      bool closed = false;
      while (pos < n) {
        char q = line[pos++];
        if (q == '\\') {
          if (pos >= n) break;
          v.text += line[pos++];
        } else if (q == '"') {
          closed = true;
          break;
        } else {
          v.text += q;
        }
      }
      if (!closed)
        return scan_failed(PE::Syntax,
                           "unterminated quoted string at column " + std::to_string(open + 1));
      stack.back().push_back(std::move(v));
      continue;
    }
    if (c == '{' || (c == '~' && pos + 1 < n && line[pos + 1] == '{')) {
      if (!allow_literal) return scan_failed(PE::Syntax, "literal where none may be");
      Scan s = scan_literal_marker(line, c == '~' ? pos + 1 : pos, max_literal);
      if (s.kind == Scan::Literal) {
        Value v;
        v.kind = Value::Kind::String;
        v.literal = true;
        v.literal_size = s.literal_size;
        stack.back().push_back(std::move(v));
      }
      return s;
    }
    // An atom. Inside [...] (BODY[HEADER.FIELDS (A B)]) spaces and parentheses belong to it.
    std::size_t start = pos;
    bool bracket = false;
    while (pos < n) {
      char a = line[pos];
      if (bracket) {
        if (a == ']') bracket = false;
        ++pos;
        continue;
      }
      if (a == ' ' || a == '(' || a == ')' || a == '"') break;
      if (a == '[') bracket = true;
      ++pos;
    }
    if (bracket)
      return scan_failed(PE::Syntax,
                         "unterminated '[' in atom at column " + std::to_string(start + 1));
    Value v;
    std::string_view text = line.substr(start, pos - start);
    if (text.size() == 3 && upper(text) == "NIL") {
      v.kind = Value::Kind::Nil;
    } else {
      v.kind = Value::Kind::Atom;
      v.text = std::string(text);
    }
    stack.back().push_back(std::move(v));
  }
  if (stack.size() > 1) return scan_failed(PE::Syntax, "unbalanced '(' at the end of the response");
  return Scan{};
}

// A short printable excerpt of a bad line for error messages.
std::string excerpt(std::string_view line) {
  std::string out;
  for (char c : line.substr(0, 80)) {
    unsigned char u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  if (line.size() > 80) out += "...";
  return out;
}

}  // namespace

bool parse_value_list(std::string_view text, std::vector<Value>& out) {
  std::vector<std::vector<Value>> stack(1);
  Scan s = scan_values(text, 0, stack, 64, false, 0);
  if (s.kind != Scan::Complete) return false;
  out = std::move(stack.front());
  return true;
}

ResponseParser::ResponseParser() : ResponseParser(Limits{}) {}
ResponseParser::ResponseParser(Limits limits) : limits_(limits) {}

ResponseParser::Result ResponseParser::fail(ParseError error, std::string message) {
  state_ = State::Failed;
  error_ = error;
  error_message_ = std::move(message);
  return Result::Error;
}

Response ResponseParser::take_response() {
  Response out = std::move(response_);
  response_ = Response{};
  stack_.clear();
  first_line_ = true;
  if (state_ == State::Done) state_ = State::Line;
  return out;
}

ResponseParser::Result ResponseParser::feed(std::string_view& input) {
  for (;;) {
    switch (state_) {
      case State::Failed:
        return Result::Error;
      case State::Done:
        take_response();  // the caller did not want it
        continue;
      case State::Line: {
        const char* lf = static_cast<const char*>(std::memchr(input.data(), '\n', input.size()));
        std::size_t take = lf ? static_cast<std::size_t>(lf - input.data()) + 1 : input.size();
        if (line_.size() + take > limits_.max_line + 2)
          return fail(ParseError::LineTooLong,
                      "response line longer than " + std::to_string(limits_.max_line) + " bytes");
        line_.append(input.data(), take);
        input.remove_prefix(take);
        if (!lf) return Result::NeedMore;
        line_.pop_back();
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        Result r = finish_line();
        line_.clear();
        if (r != Result::NeedMore) return r;
        continue;
      }
      case State::Literal: {
        if (literal_left_ == 0) {
          state_ = State::Line;
          continue;
        }
        if (input.empty()) return Result::NeedMore;
        std::size_t take = static_cast<std::size_t>(
            std::min<std::uint64_t>(literal_left_, static_cast<std::uint64_t>(input.size())));
        if (literal_streamed_) {
          chunk_ = input.substr(0, take);
          chunk_offset_ = literal_size_ - literal_left_;
          literal_left_ -= take;
          input.remove_prefix(take);
          return Result::LiteralChunk;
        }
        stack_.back().back().text.append(input.data(), take);
        literal_left_ -= take;
        input.remove_prefix(take);
        continue;
      }
    }
  }
}

// Handles one complete line: returns Response or Error, or NeedMore to go on
// (a literal follows, or the next line continues after one).
ResponseParser::Result ResponseParser::finish_line() {
  std::size_t pos = 0;
  if (first_line_) {
    first_line_ = false;
    stack_.assign(1, {});
    if (!parse_head(line_, pos)) return Result::Error;
    if (response_.kind == Response::Kind::Continuation || response_.is_status()) {
      state_ = State::Done;
      return Result::Response;
    }
  }
  Scan s = scan_values(line_, pos, stack_, limits_.max_depth, true, limits_.max_literal);
  if (s.kind == Scan::Failed) return fail(s.error, s.message + ": " + excerpt(line_));
  if (s.kind == Scan::Literal) {
    literal_size_ = literal_left_ = s.literal_size;
    literal_streamed_ = s.literal_size > limits_.max_buffered_literal;
    stack_.back().back().streamed = literal_streamed_;
    if (!literal_streamed_)
      stack_.back().back().text.reserve(static_cast<std::size_t>(s.literal_size));
    state_ = State::Literal;
    return Result::NeedMore;
  }
  response_.data = std::move(stack_.front());
  state_ = State::Done;
  return Result::Response;
}

bool ResponseParser::parse_head(std::string_view line, std::size_t& pos) {
  auto syntax = [&](const std::string& why) {
    fail(ParseError::Syntax, why + ": " + excerpt(line));
    return false;
  };
  auto word = [&]() {
    std::size_t start = pos;
    while (pos < line.size() && line[pos] != ' ') ++pos;
    return line.substr(start, pos - start);
  };
  if (!line.empty() && line[0] == '+') {
    response_.kind = Response::Kind::Continuation;
    pos = 1;
    if (pos < line.size() && line[pos] == ' ') ++pos;
    response_.text = std::string(line.substr(pos));
    return true;
  }
  std::string_view tag = word();
  if (tag.empty()) return syntax("response without a tag");
  if (tag == "*") {
    response_.kind = Response::Kind::Untagged;
  } else {
    response_.kind = Response::Kind::Tagged;
    response_.tag = std::string(tag);
  }
  if (pos >= line.size()) return syntax("response without a keyword");
  ++pos;
  std::string_view keyword = word();
  if (response_.kind == Response::Kind::Untagged && all_digits(keyword)) {
    if (keyword.size() > 10 || std::stoull(std::string(keyword)) > 0xffffffffull)
      return syntax("message number out of range");
    response_.number = static_cast<std::uint32_t>(std::stoul(std::string(keyword)));
    if (pos >= line.size()) return syntax("message number without a keyword");
    ++pos;
    keyword = word();
  }
  if (keyword.empty()) return syntax("response without a keyword");
  response_.keyword = upper(keyword);
  const std::string& k = response_.keyword;
  if (!response_.number) {
    if (k == "OK")
      response_.status = Status::Ok;
    else if (k == "NO")
      response_.status = Status::No;
    else if (k == "BAD")
      response_.status = Status::Bad;
    else if (k == "BYE")
      response_.status = Status::Bye;
    else if (k == "PREAUTH")
      response_.status = Status::Preauth;
  }
  if (response_.kind == Response::Kind::Tagged && response_.status != Status::Ok &&
      response_.status != Status::No && response_.status != Status::Bad)
    return syntax("tagged response is not OK, NO or BAD");
  if (!response_.is_status()) return true;

  if (pos < line.size() && line[pos] == ' ') ++pos;
  if (pos < line.size() && line[pos] == '[') {
    std::size_t close = line.find(']', pos);
    if (close != std::string_view::npos) {
      std::string_view inner = line.substr(pos + 1, close - pos - 1);
      std::size_t sp = inner.find(' ');
      ResponseCode code;
      code.name = upper(inner.substr(0, sp));
      if (sp != std::string_view::npos) {
        code.raw = std::string(inner.substr(sp + 1));
        if (!parse_value_list(code.raw, code.args)) code.args.clear();
      }
      response_.code = std::move(code);
      pos = close + 1;
      if (pos < line.size() && line[pos] == ' ') ++pos;
    }
  }
  response_.text = std::string(line.substr(pos));
  return true;
}

}  // namespace mailferry::imap
