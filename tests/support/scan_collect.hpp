// What the source tests need around a Source: a ScanSink that keeps every
// message and error of a scan, and a message's upload bytes read back whole.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mailferry/core/error.hpp"
#include "mailferry/source/source.hpp"

namespace mailferry::testing {

struct CollectingSink : source::ScanSink {
  std::vector<source::SourceMessage> messages;
  std::vector<core::ErrorRecord> errors;
  void message(source::SourceMessage m) override { messages.push_back(std::move(m)); }
  void error(core::ErrorRecord e) override { errors.push_back(std::move(e)); }
};

// Everything `reader` gives, asked for in pieces of `chunk` bytes (odd sizes
// make pieces end anywhere). Lets the reader's exceptions through.
std::string read_body(core::BodyReader& reader, std::size_t chunk);

}  // namespace mailferry::testing
