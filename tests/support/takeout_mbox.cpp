#include "support/takeout_mbox.hpp"

namespace mailferry::testing {

std::string takeout_mbox(const std::vector<TakeoutMessage>& messages) {
  std::string out;
  int n = 0;
  for (const auto& m : messages) {
    ++n;
    const std::string id = std::to_string(1700000000000000000LL + n);
    out += "From " + id + "@xxx Mon Mar 04 10:0" + std::to_string(n % 10) + ":00 +0000 2019\n";
    out += "X-GM-THRID: " + id + "\n";
    out += "X-Gmail-Labels: " + m.labels + "\n";
    out += "Date: Mon, 4 Mar 2019 10:0" + std::to_string(n % 10) + ":00 +0100\n";
    out += "From: Ana Example <ana@example.com>\n";
    out += "To: Ben Example <ben@example.net>\n";
    out += "Subject: " + m.subject + "\n";
    out += "Message-ID: <takeout-" + std::to_string(n) + "@example.com>\n";
    out += "MIME-Version: 1.0\n";
    out += "Content-Type: text/plain; charset=UTF-8\n\n";
    out += "Message " + std::to_string(n) + ": " + m.subject + "\n\n";
  }
  return out;
}

}  // namespace mailferry::testing
