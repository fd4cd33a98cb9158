#include "mailferry/core/hardening.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

namespace mailferry::core {

bool disable_core_dumps() noexcept {
  // A core file of this process would hold every password it has read, in
  // clear; so would a crash collector's copy. Lowering limits needs no
  // privilege, so both calls succeed for any user.
  const rlimit none{0, 0};
  const bool limited = ::setrlimit(RLIMIT_CORE, &none) == 0;
  const bool undumpable = ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
  return limited && undumpable;
}

bool core_dumps_disabled() noexcept {
  rlimit current{};
  if (::getrlimit(RLIMIT_CORE, &current) != 0) return false;
  return current.rlim_cur == 0 && current.rlim_max == 0 &&
         ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
}

}  // namespace mailferry::core
