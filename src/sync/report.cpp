#include "mailferry/sync/report.hpp"

#include <algorithm>

namespace mailferry::sync {

void Counters::add(const Counters& o) {
  source += o.source;
  present += o.present;
  appended += o.appended;
  flags_updated += o.flags_updated;
  failed += o.failed;
  duplicates_in_source += o.duplicates_in_source;
  missing += o.missing;
  deleted_from_source += o.deleted_from_source;
  bytes_appended += o.bytes_appended;
}

void JobReport::add_error(core::ErrorRecord error, int exit_code_if_fatal) {
  // A job that stopped never exits 0, whatever the error's own code says.
  if (error.scope == core::ErrorScope::Account || error.scope == core::ErrorScope::Fatal)
    exit_code = std::max({exit_code, exit_code_if_fatal, static_cast<int>(core::kExitPartial)});
  else
    exit_code = std::max(exit_code, static_cast<int>(core::kExitPartial));
  errors.push_back(std::move(error));
}

void JobReport::sum_folders() {
  totals = Counters{};
  for (const auto& f : folders) totals.add(f.counters);
  if (totals.failed > 0 || (check && totals.missing > 0))
    exit_code = std::max(exit_code, static_cast<int>(core::kExitPartial));
}

Counters RunReport::totals() const {
  Counters c;
  for (const auto& j : jobs) c.add(j.totals);
  return c;
}

int RunReport::exit_code() const {
  int code = core::kExitComplete;
  bool locked = false;
  for (const auto& j : jobs) {
    if (j.exit_code == core::kExitLocked)
      locked = true;
    else
      code = std::max(code, j.exit_code);
  }
  return code == core::kExitComplete && locked ? core::kExitLocked : code;
}

}  // namespace mailferry::sync
