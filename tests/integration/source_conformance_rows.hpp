// The table the Source conformance suite runs over: one row per kind of
// source, each opened over real files of the corpus (a POP3 mailbox on the
// test Dovecot, filled with corpus messages). Adding a source is adding a row
// to source_conformance_rows.cpp; every check of source_conformance_test.cpp
// then holds it to the same contract.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "mailferry/source/source.hpp"
#include "mailferry/sync/state_store.hpp"
#include "support/dovecot_server.hpp"
#include "support/temp_dir.hpp"

namespace mailferry::conformance {

// Where one check runs one row: a private directory for copies of the input,
// the state store that keeps scan caches between two sources (two runs), and
// a POP3 user of its own on the suite's Dovecot.
class Workspace {
 public:
  Workspace();
  const testing::TempDir& dir() const { return dir_; }
  sync::StateStore& store() { return *store_; }
  // The suite's Dovecot, started on first use and shared by all checks.
  static testing::DovecotServer& dovecot();
  const std::string& pop3_user() const { return pop3_user_; }
  // True the first time it is asked for `what`: inputs are made once.
  bool first_time(const std::string& what) { return made_.insert(what).second; }

 private:
  std::set<std::string> made_;
  testing::TempDir dir_{"mailferry-conformance"};
  std::unique_ptr<sync::StateStore> store_;
  std::string pop3_user_;
};

// A source opened over a row's input, and what it declares about itself.
struct Opened {
  std::unique_ptr<source::Source> source;
  // How many times this source object read its input (files read, POP3 TOPs
  // sent), for rows that promise a scan cache; empty otherwise.
  std::function<std::uint64_t()> reads;
};

struct Row {
  std::string name;
  bool has_flags = false;  // the format stores flags: some message must have one
  bool has_dates = false;  // the format stores dates: every message has its own
  // Opens a source over the row's input in `w`. Every call sees the same
  // input; caches kept in w.store() carry over from one call to the next.
  std::function<Opened(Workspace& w)> open;
  // Opens a source over a damaged copy of the input (a truncated file);
  // empty when the row has no file to damage.
  std::function<Opened(Workspace& w)> open_damaged;
  // After the damage, messages of undamaged items still come through.
  bool damage_spares_the_rest = true;
};

const std::vector<Row>& rows();

}  // namespace mailferry::conformance
