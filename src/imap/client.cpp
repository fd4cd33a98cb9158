#include "mailferry/imap/client.hpp"

#include <algorithm>
#include <cctype>

#include "mailferry/core/error.hpp"
#include "mailferry/core/log.hpp"

namespace mailferry::imap {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

constexpr std::size_t kLiteralMinusMax = 4096;  // RFC 7888: LITERAL- covers up to 4096 bytes
constexpr std::chrono::milliseconds kGoodbyeWait{2000};

ResponseParser::Limits parser_limits() {
  ResponseParser::Limits limits;
  limits.max_buffered_literal = 1u << 20;  // header blocks; bigger ones are skipped
  return limits;
}

std::string trace_line(const Response& r) {
  std::string out = r.kind == Response::Kind::Continuation ? "+"
                    : r.kind == Response::Kind::Tagged     ? r.tag
                                                           : "*";
  if (r.number) out.append(" ").append(std::to_string(*r.number));
  if (!r.keyword.empty()) out += " " + r.keyword;
  if (r.code) out += " [" + r.code->name + (r.code->raw.empty() ? "" : " " + r.code->raw) + "]";
  if (!r.text.empty()) out += " " + r.text;
  return out.size() > 300 ? out.substr(0, 300) + "..." : out;
}

}  // namespace

// --- Capabilities -----------------------------------------------------------

void Capabilities::assign(const std::vector<Value>& atoms) {
  names_.clear();
  for (const auto& v : atoms)
    if (v.kind == Value::Kind::Atom) names_.insert(upper(v.text));
}

bool Capabilities::has(std::string_view name) const { return names_.count(upper(name)) != 0; }

std::optional<std::uint64_t> Capabilities::number(std::string_view name) const {
  std::string prefix = upper(name) + "=";
  auto it = names_.lower_bound(prefix);
  if (it == names_.end() || it->compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  Value v;
  v.kind = Value::Kind::Atom;
  v.text = it->substr(prefix.size());
  return v.number();
}

std::string Capabilities::joined() const {
  std::string out;
  for (const auto& n : names_) out += (out.empty() ? "" : " ") + n;
  return out;
}

std::string Completion::describe() const {
  if (!local_error.empty()) return local_error;
  std::string out = status_name(response.status);
  if (response.code)
    out += " [" + response.code->name +
           (response.code->raw.empty() ? "" : " " + response.code->raw) + "]";
  if (!response.text.empty()) out += " " + response.text;
  return out;
}

// --- Client -------------------------------------------------------------------

struct Client::Entry {
  std::string tag;
  Command command;
  Done done;
};

Client::Client(std::unique_ptr<net::Connection> connection, Options options)
    : connection_(std::move(connection)),
      options_(options),
      display_(connection_->options().display()),
      parser_(parser_limits()),
      in_buffer_(64 * 1024) {
  options_.max_in_flight = std::max<std::size_t>(1, options_.max_in_flight);
  options_.chunk_size = std::max<std::size_t>(1024, options_.chunk_size);
}

Client::~Client() { logout(); }

void Client::check_usable() const {
  if (!connection_) throw core::ConnectionError(display_ + ": the connection is closed");
}

void Client::lost(const std::string& why) {
  connection_.reset();
  throw core::ConnectionError(why);
}

void Client::refresh_capabilities() {
  Completion c = run(Command("CAPABILITY"));
  if (!c.ok()) throw core::ConnectionError(display_ + ": CAPABILITY failed: " + c.describe());
}

void Client::submit(Command command, Done done) {
  check_usable();
  queued_.push_back(std::make_shared<Entry>(Entry{{}, std::move(command), std::move(done)}));
}

bool Client::drain() {
  return pump([this] {
    return queued_.empty() && in_flight_.empty() && !active_ && out_pos_ == out_.size();
  });
}

bool Client::drain_to(std::size_t pending) {
  return pump([this, pending] { return queued_.size() + in_flight_.size() <= pending; });
}

std::size_t Client::cancel_queued() {
  std::size_t n = queued_.size();
  queued_.clear();
  return n;
}

Completion Client::run(Command command) {
  // Shared, so that an answer arriving after an exception left this frame has
  // somewhere to go.
  auto result = std::make_shared<std::optional<Completion>>();
  submit(std::move(command), [result](const Completion& c) { *result = c; });
  pump([&result] { return result->has_value(); });
  if (!result->has_value()) throw core::ConnectionError(display_ + ": the connection was closed");
  return **result;
}

bool Client::pump(const std::function<bool()>& until) {
  while (!until()) {
    if (dropped_) return false;
    check_usable();
    bool progress = write_step();
    if (dropped_) return false;
    progress = read_step() || progress;
    if (!progress && !until()) {
      try {
        connection_->wait(true, out_pos_ < out_.size());
      } catch (const core::ConnectionError& e) {
        lost(e.what());
      }
    }
  }
  return !dropped_;
}

// --- writing --------------------------------------------------------------------

bool Client::write_step() {
  bool progress = false;
  if (out_pos_ == out_.size()) {
    // Only an empty buffer is refilled: a TLS write that could not finish must
    // be retried with the same bytes.
    if (active_ && active_start_ < out_.size()) active_partly_sent_ = true;
    out_.clear();
    out_pos_ = 0;
    active_start_ = 0;
    std::size_t before_queued = queued_.size(), before_flight = in_flight_.size();
    bool had_active = active_ != nullptr;
    fill();
    if (dropped_) return true;
    progress = !out_.empty() || queued_.size() != before_queued ||
               in_flight_.size() != before_flight || had_active != (active_ != nullptr);
  }
  if (out_pos_ < out_.size()) {
    std::size_t n = 0;
    try {
      n = connection_->send_some(std::string_view(out_).substr(out_pos_));
    } catch (const core::ConnectionError& e) {
      lost(e.what());
    }
    out_pos_ += n;
    progress = progress || n > 0;
  }
  return progress;
}

std::string Client::literal_marker(std::uint64_t size) {
  bool non_sync =
      capabilities_.has("LITERAL+") || (capabilities_.has("LITERAL-") && size <= kLiteralMinusMax);
  if (!non_sync) awaiting_plus_ = true;
  std::string marker = "{";
  return marker.append(std::to_string(size)).append(non_sync ? "+}\r\n" : "}\r\n");
}

void Client::start_next() {
  active_ = queued_.front();
  queued_.pop_front();
  active_->tag = std::string("m").append(std::to_string(next_tag_++));
  in_flight_.push_back(active_);
  part_ = 0;
  literal_pending_ = false;
  active_start_ = out_.size();
  active_partly_sent_ = false;
  out_ += active_->tag;
  out_ += ' ';
  if (core::log_level() >= core::LogLevel::Debug)
    core::log_debug("C: " + active_->tag + " " + active_->command.summary());
}

void Client::fill() {
  while (out_.size() < options_.chunk_size && !awaiting_plus_ && !dropped_) {
    if (!active_) {
      if (queued_.empty() || in_flight_.size() >= options_.max_in_flight) return;
      start_next();
      continue;
    }
    if (literal_pending_) {
      literal_pending_ = false;
      begin_literal_data();
      continue;
    }
    if (in_body_) {
      if (body_left_ == 0) {
        // The declared size is all a source may give; more would be cut off.
        char probe;
        std::size_t extra = 0;
        try {
          extra = reader_->read(&probe, 1);
        } catch (const std::exception& e) {
          return body_failed(e.what());
        }
        if (extra != 0)
          return body_failed("the message has more bytes than its declared size of " +
                             std::to_string(active_->command.parts()[part_ - 1].size));
        reader_.reset();
        in_body_ = false;
        continue;
      }
      // Read on only when all bytes before are on their way, so that a read
      // failure never strands another command's bytes.
      if (!out_.empty()) return;
      std::size_t want =
          static_cast<std::size_t>(std::min<std::uint64_t>(body_left_, options_.chunk_size));
      out_.resize(want);
      std::size_t got = 0;
      try {
        got = reader_->read(out_.data(), want);
      } catch (const std::exception& e) {
        out_.clear();
        return body_failed(e.what());
      }
      out_.resize(std::min(got, want));
      if (got == 0)
        return body_failed("the message ended " + std::to_string(body_left_) +
                           " bytes before its declared size");
      body_left_ -= out_.size();
      continue;
    }
    const auto& parts = active_->command.parts();
    if (part_ == parts.size()) {
      out_ += "\r\n";
      finish_active();
      continue;
    }
    const Command::Part& part = parts[part_++];
    if (part.kind == Command::Part::Kind::Text) {
      out_ += part.bytes;
      continue;
    }
    if (part.kind == Command::Part::Kind::Body) {
      // Open the source and read its first bytes before the marker goes out:
      // a message that cannot be read then costs nothing on the wire.
      try {
        reader_ = part.open ? part.open() : nullptr;
        if (!reader_) throw std::runtime_error("the message could not be opened");
        first_chunk_.resize(
            static_cast<std::size_t>(std::min<std::uint64_t>(part.size, options_.chunk_size)));
        std::size_t got =
            first_chunk_.empty() ? 0 : reader_->read(first_chunk_.data(), first_chunk_.size());
        if (!first_chunk_.empty() && got == 0)
          throw std::runtime_error("the message is empty but should have " +
                                   std::to_string(part.size) + " bytes");
        first_chunk_.resize(std::min(got, first_chunk_.size()));
      } catch (const std::exception& e) {
        return body_failed(e.what());
      }
    }
    out_ += literal_marker(part.size);
    literal_pending_ = true;
  }
}

void Client::begin_literal_data() {
  const Command::Part& part = active_->command.parts()[part_ - 1];
  if (part.kind == Command::Part::Kind::Literal) {
    out_ += part.bytes;
    return;
  }
  in_body_ = true;
  body_left_ = part.size - first_chunk_.size();
  out_ += first_chunk_;
  first_chunk_.clear();
  first_chunk_.shrink_to_fit();
}

void Client::finish_active() {
  active_.reset();
  part_ = 0;
  literal_pending_ = false;
  awaiting_plus_ = false;
  in_body_ = false;
  reader_.reset();
  first_chunk_.clear();
}

void Client::body_failed(const std::string& why) {
  std::shared_ptr<Entry> entry = active_;
  bool sent_some = active_partly_sent_ || out_pos_ > active_start_;
  std::size_t start = active_start_;
  // part_ is one past the failing Body part.
  const auto& parts = entry->command.parts();
  const auto body = static_cast<std::size_t>(
      std::count_if(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(part_ - 1),
                    [](const Command::Part& p) { return p.kind == Command::Part::Kind::Body; }));
  finish_active();
  in_flight_.erase(std::find(in_flight_.begin(), in_flight_.end(), entry));
  Completion failed;
  failed.local_error = why;
  failed.failed_body = body;
  if (!sent_some) {
    out_.resize(start);  // the server never saw any of it
    if (entry->done) entry->done(failed);
    return;
  }
  out_.clear();
  out_pos_ = 0;
  if (entry->done) entry->done(failed);
  drop_after_body_failure();
}

void Client::drop_after_body_failure() {
  core::log_warn(display_ +
                 ": closing the connection so that the server drops a partly sent "
                 "message; the next command reconnects");
  queued_.clear();
  dropped_ = true;
  // The server has the commands sent before; their answers are on the way.
  try {
    while (!in_flight_.empty()) {
      if (!read_step() && !in_flight_.empty()) connection_->wait(true, false);
    }
  } catch (const std::exception& e) {
    auto unanswered = std::move(in_flight_);
    in_flight_.clear();
    Completion unknown;
    unknown.local_error =
        "the connection broke before the server answered: " + std::string(e.what());
    for (auto& entry : unanswered)
      if (entry->done) entry->done(unknown);
  }
  in_flight_.clear();
  connection_.reset();
}

// --- reading --------------------------------------------------------------------

bool Client::read_step() {
  bool progress = false;
  // A bounded number of reads, then the writer gets a turn; the loop only stops
  // early when the connection has nothing (TLS buffers included).
  for (int round = 0; round < 16; ++round) {
    if (in_view_.empty()) {
      std::size_t n = 0;
      try {
        n = connection_->receive_some(in_buffer_.data(), in_buffer_.size());
      } catch (const core::ConnectionError& e) {
        lost(bye_.empty() ? std::string(e.what())
                          : display_ + ": the server closed the connection: " + bye_);
      }
      if (n == 0) break;
      in_view_ = std::string_view(in_buffer_.data(), n);
      progress = true;
    }
    while (!in_view_.empty()) {
      auto result = parser_.feed(in_view_);
      if (result == ResponseParser::Result::NeedMore) break;
      if (result == ResponseParser::Result::Error)
        lost(display_ + ": the server sent something that is not IMAP: " + parser_.error_message());
      if (result == ResponseParser::Result::LiteralChunk) {
        if (literal_chunk_) literal_chunk_(parser_.literal_chunk());
        continue;
      }
      Response response = parser_.take_response();
      dispatch(response);
    }
  }
  return progress;
}

void Client::dispatch(Response& response) {
  if (core::log_level() >= core::LogLevel::Debug) core::log_debug("S: " + trace_line(response));
  if (response.has_code("CAPABILITY") && response.status == Status::Ok)
    capabilities_.assign(response.code->args);
  // RFC 3501: an ALERT must be shown to the user.
  if (response.has_code("ALERT")) core::log_warn(display_ + ": server alert: " + response.text);
  // Gmail marks commands it did but slowed down ("OK Success [THROTTLED]");
  // nothing to retry, but it explains a slow run.
  if (response.status == Status::Ok && !noted_slowdown_ &&
      (response.has_code("THROTTLED") || response.text.find("[THROTTLED]") != std::string::npos)) {
    noted_slowdown_ = true;
    core::log_info(display_ +
                   ": the server says it is slowing this account down: " + trace_line(response));
  }
  switch (response.kind) {
    case Response::Kind::Continuation:
      if (awaiting_plus_) awaiting_plus_ = false;
      return;
    case Response::Kind::Untagged:
      if (response.keyword == "CAPABILITY") capabilities_.assign(response.data);
      if (response.status == Status::Bye) bye_ = response.text;
      if (untagged_) untagged_(response);
      return;
    case Response::Kind::Tagged:
      break;
  }
  auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                         [&](const auto& e) { return e->tag == response.tag; });
  if (it == in_flight_.end()) {
    core::log_debug(display_ + ": answer to an unknown command " + response.tag + " ignored");
    return;
  }
  std::shared_ptr<Entry> entry = *it;
  in_flight_.erase(it);
  // Refused at a synchronizing literal: the rest of the command must not be sent.
  // (After a non-synchronizing one the server still reads the bytes, so they go on.)
  if (entry == active_ && awaiting_plus_) finish_active();
  Completion done;
  done.response = std::move(response);
  if (entry->done) entry->done(done);
}

// --- goodbye --------------------------------------------------------------------

void Client::logout() noexcept {
  if (!connection_) return;
  try {
    untagged_ = nullptr;
    literal_chunk_ = nullptr;
    bool quiet = queued_.empty() && in_flight_.empty() && !active_ && out_pos_ == out_.size();
    if (quiet) {
      bool answered = false;
      submit(Command("LOGOUT"), [&answered](const Completion&) { answered = true; });
      while (!answered && connection_) {
        bool progress = write_step();
        progress = read_step() || progress;
        if (!progress && !answered &&
            !connection_->wait_for(true, out_pos_ < out_.size(), kGoodbyeWait))
          break;
      }
    }
  } catch (...) {
    // Best effort: the server may already be gone.
  }
  queued_.clear();
  in_flight_.clear();
  finish_active();
  connection_.reset();
}

}  // namespace mailferry::imap
