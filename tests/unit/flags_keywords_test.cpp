// Keywords beyond the closed set travel as the source spelled them, compare
// ignoring case, and survive the state files' encoding, old entries included.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mailferry/core/flags.hpp"

using mailferry::core::ByteReader;
using mailferry::core::ByteWriter;
using mailferry::core::Flag;
using mailferry::core::Flags;

namespace {

Flags parse(const std::vector<std::string>& tokens) {
  Flags f;
  for (const auto& t : tokens) f.add_imap_token(t);
  return f;
}

}  // namespace

TEST_CASE("flags: any keyword is kept, system flags stay bits, \\Recent and junk are ignored") {
  const Flags f = parse(
      {"\\Seen", "Work", "$label1", "\\Recent", "$forwarded", "\\Unknown", "bad(word", "work"});
  CHECK(f.has(Flag::Seen));
  CHECK(f.has(Flag::Forwarded));
  CHECK(f.other_keywords() == std::vector<std::string>{"$label1", "Work"});
  CHECK(f.to_imap() == "\\Seen $Forwarded $label1 Work");
  CHECK(f.has_keywords());
  CHECK(f.without_keywords() == Flags(Flag::Seen));
  CHECK(!Flags().add_keyword("two words"));
}

TEST_CASE("flags: minus and add work on keywords, ignoring case") {
  const Flags source = parse({"\\Seen", "Work", "Urgent"});
  const Flags target = parse({"\\Seen", "work"});
  const Flags missing = source.minus(target);
  CHECK(missing.to_imap() == "Urgent");
  CHECK(target.minus(source).empty());
  Flags merged = target;
  merged.add(missing);
  CHECK(merged.to_imap() == "\\Seen Urgent work");
  // The same set, however it was built, is the same value.
  CHECK(parse({"B", "A"}) == parse({"A", "B"}));
}

TEST_CASE("flags: the state encoding keeps keywords and reads a bits-only entry as before") {
  const Flags f = parse({"\\Answered", "$MDNSent", "Work", "$label3"});
  ByteWriter w;
  f.write(w);
  Flags(Flag::Flagged).write(w);
  ByteReader r(w.str());
  CHECK(Flags::read(r) == f);
  CHECK(Flags::read(r) == Flags(Flag::Flagged));
  CHECK(r.ok());
  CHECK(r.at_end());
  // An entry written before keywords were kept: one number.
  ByteWriter old;
  old.varint(0x23);
  ByteReader old_reader(old.str());
  CHECK(Flags::read(old_reader) == Flags(static_cast<std::uint8_t>(0x23)));
}
