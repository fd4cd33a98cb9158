// A source of one INBOX holding messages 1..count, each a few lines with the
// Message-ID <PREFIX N@example.org>: for tests of the IMAP side that need
// messages but no real source.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mailferry/source/memory_body.hpp"
#include "mailferry/source/source.hpp"

namespace mailferry::testing {

// Message n's bytes (CRLF line ends), its Message-ID "<" + prefix + n + "@example.org>".
inline std::string numbered_message(int n, const std::string& prefix) {
  return "Message-ID: <" + prefix + std::to_string(n) + "@example.org>\r\nSubject: message " +
         std::to_string(n) + "\r\n\r\nbody " + std::to_string(n) + "\r\n";
}

class NumberedMessages : public source::Source {
 public:
  NumberedMessages(int count, std::string prefix) : count_(count), prefix_(std::move(prefix)) {}
  std::string describe() const override { return "test:"; }
  std::vector<source::SourceFolder> folders() override {
    return {{{"INBOX"}, core::Role::Inbox, "inbox"}};
  }
  void scan(const source::SourceFolder&, source::ScanSink& sink) override {
    for (int n = 1; n <= count_; ++n) {
      source::SourceMessage m;
      m.ordinal = static_cast<std::uint64_t>(n);
      m.locator = std::to_string(n);
      m.key.value = "<" + prefix_ + std::to_string(n) + "@example.org>";
      m.message_id = m.key.value;
      m.size = numbered_message(n, prefix_).size();
      m.internal_date.utc = 1600000000;
      sink.message(std::move(m));
    }
  }
  std::unique_ptr<core::BodyReader> open(const source::SourceFolder&,
                                         const source::SourceMessage& m) override {
    return std::make_unique<source::MemoryBodyReader>(
        numbered_message(static_cast<int>(m.ordinal), prefix_));
  }

 private:
  int count_;
  std::string prefix_;
};

}  // namespace mailferry::testing
