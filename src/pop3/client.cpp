#include "mailferry/pop3/client.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace mailferry::pop3 {
namespace {

bool starts_with_word(std::string_view line, std::string_view word) {
  if (line.size() < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(line[i])) !=
        std::toupper(static_cast<unsigned char>(word[i])))
      return false;
  return line.size() == word.size() || line[word.size()] == ' ' || line[word.size()] == '\t';
}

std::vector<std::string_view> split_lines(std::string_view block) {
  std::vector<std::string_view> lines;
  while (!block.empty()) {
    auto end = block.find("\r\n");
    auto line = block.substr(0, end);
    if (!line.empty()) lines.push_back(line);
    if (end == std::string_view::npos) break;
    block.remove_prefix(end + 2);
  }
  return lines;
}

// "n rest": the message number and what follows it (RFC 1939 scan listing).
bool split_numbered(std::string_view line, std::uint32_t& number, std::string_view& rest) {
  auto space = line.find_first_of(" \t");
  if (space == std::string_view::npos) return false;
  auto [p, ec] = std::from_chars(line.data(), line.data() + space, number);
  if (ec != std::errc() || p != line.data() + space || number == 0) return false;
  rest = line.substr(space + 1);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  return !rest.empty();
}

std::string verb_of(std::string_view line) {
  std::string verb(line.substr(0, line.find(' ')));
  for (auto& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return verb;
}

}  // namespace

bool Capabilities::has(std::string_view name) const {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return starts_with_word(l, name); });
}

Client::Client(net::Connection& connection, ClientOptions options)
    : connection_(connection), options_(std::move(options)) {
  if (options_.pipeline_depth == 0) options_.pipeline_depth = 1;
}

Client::~Client() {
  // A polite goodbye, but never one that could commit marked deletions: the
  // only QUIT after a DELE is the explicit commit_and_quit().
  if (usable_ && !deletions_pending_) {
    try {
      connection_.send_some("QUIT\r\n");
    } catch (...) {
    }
  }
}

std::uint64_t Client::commands_sent(std::string_view verb) const {
  auto it = counts_.find(verb);
  return it == counts_.end() ? 0 : it->second;
}

void Client::run(std::vector<Command>& commands) {
  if (!usable_) throw core::ConnectionError("POP3 session is closed");
  try {
    run_batch(commands);
  } catch (...) {
    // Answers may still be in flight: the stream position is lost for good.
    usable_ = false;
    throw;
  }
}

// Keeps up to `window` commands in flight: sends until the window is full,
// then parses what arrives, answering commands strictly in order, and refills
// the window once per received chunk (one write per round trip, not per line).
// The window is small (a few KiB of command lines), so a send never waits on a
// server that is busy writing answers we have not read yet.
void Client::run_batch(std::vector<Command>& commands) {
  const std::size_t window = pipelining() ? options_.pipeline_depth : 1;
  std::size_t sent = 0, answered = 0;
  bool started = false;
  std::array<char, 64 * 1024> buffer{};
  std::string out;
  while (answered < commands.size()) {
    out.clear();
    while (sent < commands.size() && sent - answered < window) {
      const auto& line = commands[sent].line;
      if (options_.trace) options_.trace(line);
      ++counts_[verb_of(line)];
      out += line;
      out += "\r\n";
      ++sent;
    }
    if (!out.empty()) connection_.send_all(out);

    if (input_.empty()) {
      std::size_t n = connection_.receive(buffer.data(), buffer.size());
      input_.assign(buffer.data(), n);
    }
    std::string_view view(input_);
    while (!view.empty() && answered < sent) {
      auto& command = commands[answered];
      if (!started) {
        parser_.start(command.multiline);
        started = true;
      }
      view.remove_prefix(parser_.feed(view, command.body));
      if (parser_.complete()) {
        started = false;
        ++answered;
        if (command.done) command.done(parser_.status());
      }
    }
    input_.erase(0, input_.size() - view.size());
  }
  if (!input_.empty())
    throw ProtocolError("POP3 server sent " + std::to_string(input_.size()) +
                        " bytes nobody asked for");
}

Status Client::run_one(std::string line, bool multiline, BodySink body) {
  Status result;
  std::vector<Command> commands(1);
  commands[0].line = std::move(line);
  commands[0].multiline = multiline;
  commands[0].body = std::move(body);
  commands[0].done = [&](const Status& s) { result = s; };
  run(commands);
  return result;
}

const Capabilities& Client::capa() {
  std::string block;
  Status status = run_one("CAPA", true, [&](std::string_view bytes) { block.append(bytes); });
  capabilities_ = Capabilities{};
  capabilities_.known = status.ok;
  if (status.ok)
    for (auto line : split_lines(block)) capabilities_.lines.emplace_back(line);
  return capabilities_;
}

Listing Client::listing(bool want_uidl) {
  Listing result;
  std::string uidl_block, list_block;
  Status list_status;
  std::vector<Command> commands;
  if (want_uidl)
    commands.push_back({"UIDL", true, [&](std::string_view b) { uidl_block.append(b); },
                        [&](const Status& s) { result.uidl_status = s; }});
  commands.push_back({"LIST", true, [&](std::string_view b) { list_block.append(b); },
                      [&](const Status& s) { list_status = s; }});
  run(commands);

  if (!list_status.ok) throw CommandError("LIST", list_status, core::ErrorScope::Account);
  for (auto line : split_lines(list_block)) {
    ListEntry entry;
    std::string_view rest;
    bool good = split_numbered(line, entry.number, rest);
    if (good) {
      auto size_text = rest.substr(0, rest.find_first_of(" \t"));
      auto [p, ec] =
          std::from_chars(size_text.data(), size_text.data() + size_text.size(), entry.size);
      good = ec == std::errc() && p == size_text.data() + size_text.size();
    }
    if (!good)
      throw ProtocolError("POP3 server sent a malformed LIST line: \"" + std::string(line) + "\"");
    result.list.push_back(entry);
  }
  if (want_uidl && result.uidl_status.ok) {
    result.uidl.emplace();
    for (auto line : split_lines(uidl_block)) {
      UidlEntry entry;
      std::string_view rest;
      if (!split_numbered(line, entry.number, rest))
        throw ProtocolError("POP3 server sent a malformed UIDL line: \"" + std::string(line) +
                            "\"");
      entry.uid = std::string(rest);
      result.uidl->push_back(std::move(entry));
    }
  }
  return result;
}

void Client::top_headers(const std::vector<std::uint32_t>& numbers, const HeaderCallback& on_header,
                         std::size_t header_limit) {
  // Answers arrive in order, so one buffer serves every command in the batch.
  std::string header;
  std::vector<Command> commands;
  commands.reserve(numbers.size());
  for (auto number : numbers) {
    commands.push_back({"TOP " + std::to_string(number) + " 0", true,
                        [&](std::string_view b) {
                          if (header.size() < header_limit)
                            header.append(b.substr(0, header_limit - header.size()));
                        },
                        [&, number](const Status& s) {
                          on_header(number, s, header);
                          header.clear();
                        }});
  }
  run(commands);
}

Status Client::retrieve(std::uint32_t number, const BodySink& sink) {
  return run_one("RETR " + std::to_string(number), true, sink);
}

std::vector<Status> Client::mark_deleted(const std::vector<std::uint32_t>& numbers) {
  std::vector<Status> statuses(numbers.size());
  std::vector<Command> commands;
  commands.reserve(numbers.size());
  for (std::size_t i = 0; i < numbers.size(); ++i)
    commands.push_back({"DELE " + std::to_string(numbers[i]), false, {}, [&, i](const Status& s) {
                          statuses[i] = s;
                          if (s.ok) deletions_pending_ = true;
                        }});
  // Marks count as pending from the moment a DELE is sent: if the session
  // breaks half-way, the destructor must not send a QUIT that commits them.
  const bool marked_before = deletions_pending_;
  if (!commands.empty()) deletions_pending_ = true;
  run(commands);
  deletions_pending_ = marked_before || std::any_of(statuses.begin(), statuses.end(),
                                                    [](const Status& s) { return s.ok; });
  return statuses;
}

Status Client::commit_and_quit() {
  Status status = run_one("QUIT", false);
  usable_ = false;
  if (!status.ok) throw CommandError("QUIT", status, core::ErrorScope::Account);
  deletions_pending_ = false;
  return status;
}

}  // namespace mailferry::pop3
