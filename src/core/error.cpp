#include "mailferry/core/error.hpp"

namespace mailferry::core {

const char* scope_name(ErrorScope scope) {
  switch (scope) {
    case ErrorScope::Message:
      return "message";
    case ErrorScope::Folder:
      return "folder";
    case ErrorScope::Account:
      return "account";
    case ErrorScope::Fatal:
      return "fatal";
  }
  return "fatal";
}

}  // namespace mailferry::core
