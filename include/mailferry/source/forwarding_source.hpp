// The base of every Source wrapper (locked, dry run): passes
// each call on to the wrapped source, so that a wrapper overrides only what
// it changes and a call added to Source is forwarded here once, for all of
// them.
#pragma once

#include "mailferry/source/source.hpp"

namespace mailferry::source {

class ForwardingSource : public Source {
 public:
  // Wraps `inner`, which must outlive the wrapper.
  explicit ForwardingSource(Source& inner) : inner_(inner) {}

  std::string describe() const override { return inner_.describe(); }
  std::vector<SourceFolder> folders() override { return inner_.folders(); }
  void scan(const SourceFolder& folder, ScanSink& sink) override { inner_.scan(folder, sink); }
  std::unique_ptr<BodyReader> open(const SourceFolder& folder,
                                   const SourceMessage& message) override {
    return inner_.open(folder, message);
  }
  bool opens_in_batches() const override { return inner_.opens_in_batches(); }
  void open_batch(const SourceFolder& folder, const std::vector<const SourceMessage*>& messages,
                  const EachOpened& each) override {
    inner_.open_batch(folder, messages, each);
  }
  std::vector<std::string> report_notes() override { return inner_.report_notes(); }
  bool supports_removal() const override { return inner_.supports_removal(); }
  RemovalResult remove(const SourceFolder& folder,
                       const std::vector<SourceMessage>& messages) override {
    return inner_.remove(folder, messages);
  }

 protected:
  Source& inner() const { return inner_; }

 private:
  Source& inner_;
};

}  // namespace mailferry::source
