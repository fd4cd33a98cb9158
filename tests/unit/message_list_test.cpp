// The packed list of a folder's scanned messages gives back every field as it
// was scanned, across block boundaries and with strings of any length.
#include "mailferry/sync/message_list.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace mailferry;

namespace {

source::SourceMessage scanned(int n) {
  source::SourceMessage m;
  m.ordinal = static_cast<std::uint64_t>(n) + 1;
  m.locator = std::to_string(n * 4096);
  m.key.value = n % 7 == 0 ? "fp:" + std::to_string(n) : "<m" + std::to_string(n) + "@example.org>";
  // As found in the header: usually the key's text, sometimes not (case,
  // spaces), empty for a fingerprint.
  if (!m.key.is_fingerprint())
    m.message_id = n % 5 == 0 ? "<M" + std::to_string(n) + "@Example.ORG>" : m.key.value;
  m.flags = core::Flags(static_cast<std::uint8_t>(n % 64));
  m.internal_date = {1700000000 + n, (n % 3 - 1) * 330};
  m.size = 1000 + static_cast<std::uint64_t>(n);
  m.requests_read_receipt = n % 11 == 0;
  // Sender and subject of every length up to a line's, some empty.
  if (n % 13 != 0) m.from = "Sender " + std::string(static_cast<std::size_t>(n % 40), 's');
  if (n % 17 != 0) m.subject = "Subject " + std::to_string(n) + std::string(n % 60, 'x');
  return m;
}

bool same(const source::SourceMessage& a, const source::SourceMessage& b) {
  return a.ordinal == b.ordinal && a.locator == b.locator && a.key == b.key &&
         a.message_id == b.message_id && a.flags == b.flags && a.internal_date == b.internal_date &&
         a.size == b.size && a.requests_read_receipt == b.requests_read_receipt &&
         a.from == b.from && a.subject == b.subject;
}

}  // namespace

TEST_CASE("message list: 50,000 messages come back field for field, keys without a copy") {
  sync::MessageList list;
  const int count = 50000;  // several 1 MB blocks of text
  for (int n = 0; n < count; ++n) list.push_back(scanned(n));
  REQUIRE(list.size() == count);
  const std::string_view first_key = list.key(0);
  for (int n = 0; n < count; ++n) {
    const auto expected = scanned(n);
    const auto i = static_cast<std::size_t>(n);
    INFO("message " << n);
    REQUIRE(same(list[i], expected));
    CHECK(list.key(i) == expected.key.value);
    CHECK(list.message_size(i) == expected.size);
    CHECK(list.flags(i) == expected.flags);
    CHECK(list.requests_read_receipt(i) == expected.requests_read_receipt);
    CHECK(list.message_id(i) == expected.message_id);
    CHECK(list.ordinal(i) == expected.ordinal);
    CHECK(list.internal_date(i) == expected.internal_date);
    CHECK(list.from(i) == expected.from);
    CHECK(list.subject(i) == expected.subject);
  }
  // Views handed out earlier still point at the same text.
  CHECK(first_key == scanned(0).key.value);
}

TEST_CASE("message list: empty strings, and strings longer than a block") {
  sync::MessageList list;
  source::SourceMessage bare;  // nothing but defaults
  list.push_back(bare);
  source::SourceMessage huge = scanned(1);
  huge.locator = std::string(3 << 20, 'L');  // a 3 MB locator
  list.push_back(huge);
  list.push_back(scanned(2));
  REQUIRE(list.size() == 3);
  CHECK(same(list[0], bare));
  CHECK(list.key(0).empty());
  CHECK(same(list[1], huge));
  CHECK(same(list[2], scanned(2)));
}
