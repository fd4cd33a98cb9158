#include "mailferry/pop3/response_parser.hpp"

namespace mailferry::pop3 {

void ResponseParser::start(bool multiline) {
  state_ = State::StatusLine;
  multiline_ = multiline;
  line_.clear();
  status_ = Status{};
  body_bytes_ = 0;
}

void ResponseParser::finish_status_line() {
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  status_ = parse_status_line(line_);
  line_.clear();
  state_ = (status_.ok && multiline_) ? State::LineStart : State::Complete;
}

// Inside a body line: CRLF (or a bare LF, normalized to CRLF) ends it.
void ResponseParser::line_char(char c) {
  if (c == '\r') {
    state_ = State::CR;
  } else if (c == '\n') {
    out_ += "\r\n";
    state_ = State::LineStart;
  } else {
    out_ += c;
    state_ = State::InLine;
  }
}

// After a CR inside a line: a CR not followed by LF is kept as sent.
void ResponseParser::cr_char(char c) {
  if (c == '\n') {
    out_ += "\r\n";
    state_ = State::LineStart;
  } else if (c == '\r') {
    out_ += '\r';
    state_ = State::CR;  // also when coming from DotCR
  } else {
    out_ += '\r';
    out_ += c;
    state_ = State::InLine;
  }
}

std::size_t ResponseParser::feed(std::string_view input, const BodySink& body) {
  out_.clear();
  std::size_t i = 0;
  for (; i < input.size() && state_ != State::Complete && state_ != State::Idle; ++i) {
    char c = input[i];
    switch (state_) {
      case State::StatusLine:
        if (c == '\n') {
          finish_status_line();
        } else {
          if (line_.size() >= kMaxStatusLine)
            throw ProtocolError("POP3 server sent a status line longer than " +
                                std::to_string(kMaxStatusLine) + " bytes");
          line_ += c;
        }
        break;
      case State::LineStart:
        if (c == '.')
          state_ = State::Dot;
        else
          line_char(c);
        break;
      case State::InLine:
        line_char(c);
        break;
      case State::Dot:
        // ".CRLF" ends the response (".LF" from sloppy servers too); any other
        // line that starts with a dot was stuffed and loses exactly this dot.
        if (c == '\r')
          state_ = State::DotCR;
        else if (c == '\n')
          state_ = State::Complete;
        else
          line_char(c);
        break;
      case State::DotCR:
        // ".CR" followed by anything but LF: a stuffed line with a bare CR.
        if (c == '\n')
          state_ = State::Complete;
        else
          cr_char(c);
        break;
      case State::CR:
        cr_char(c);
        break;
      case State::Idle:
      case State::Complete:
        break;
    }
  }
  if (!out_.empty()) {
    body_bytes_ += out_.size();
    if (body) body(out_);
  }
  return i;
}

}  // namespace mailferry::pop3
