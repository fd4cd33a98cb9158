// Gmail Takeout-style mbox text for tests: the shape Google Takeout writes
// ("From <id>@xxx <date>" lines, X-GM-THRID and X-Gmail-Labels first), with
// the labels given per message.
#pragma once

#include <string>
#include <vector>

namespace mailferry::testing {

struct TakeoutMessage {
  std::string labels;   // the X-Gmail-Labels value as written into the file
  std::string subject;  // also makes the Message-ID unique
};

std::string takeout_mbox(const std::vector<TakeoutMessage>& messages);

}  // namespace mailferry::testing
