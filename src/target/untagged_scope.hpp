// Routes a client's untagged responses to a handler for one operation and
// unhooks it on every exit path, so that no handler outlives what it captures.
// Internal to src/target.
#pragma once

#include "mailferry/imap/client.hpp"

namespace mailferry::target::detail {

class UntaggedScope {
 public:
  UntaggedScope(imap::Client& client, imap::Client::UntaggedHandler handler) : client_(client) {
    client_.on_untagged(std::move(handler));
  }
  ~UntaggedScope() { client_.on_untagged(nullptr); }
  UntaggedScope(const UntaggedScope&) = delete;
  UntaggedScope& operator=(const UntaggedScope&) = delete;

 private:
  imap::Client& client_;
};

}  // namespace mailferry::target::detail
