// Turns endpoints into adapters. Adapters are wired here as they land.
#include "mailferry/app/run_job.hpp"
#include "mailferry/core/error.hpp"

namespace mailferry::app {

std::unique_ptr<source::Source> open_source(const job::Job& job) {
  throw core::UsageError(job.from.url + ": this kind of source is not available in this build");
}

std::unique_ptr<target::Target> open_target(const job::Job& job) {
  throw core::UsageError(job.to.url + ": this kind of target is not available in this build");
}

std::unique_ptr<target::Target> make_dry_run(target::Target&) {
  throw core::UsageError("dry run is not available in this build");
}

}  // namespace mailferry::app
