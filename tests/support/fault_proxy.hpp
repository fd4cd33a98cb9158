// A TCP proxy on loopback that injures connections on purpose, for tests of
// what a real server cannot be made to do: cut a connection after a random
// number of bytes, stall it, or delay every chunk. TLS passes through it
// untouched (it never looks inside), so certificate checks still apply.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>

namespace mailferry::testing {

struct FaultPlan {
  // Cut each connection after a random number of bytes (both directions
  // together) drawn from [cut_min_bytes, cut_max_bytes]; 0 = never.
  std::uint64_t cut_min_bytes = 0;
  std::uint64_t cut_max_bytes = 0;
  int max_cuts = 0;  // after this many cuts, connections pass untouched
  // Stop forwarding (but keep the connection open) after a random number of
  // bytes in [cut_min_bytes, cut_max_bytes], instead of cutting.
  bool stall_instead_of_cut = false;
  std::chrono::milliseconds delay_per_chunk{0};  // added before forwarding each chunk
  std::uint32_t seed = 1;
};

class FaultProxy {
 public:
  // Listens on a free port of 127.0.0.1 and forwards to 127.0.0.1:upstream_port.
  FaultProxy(int upstream_port, FaultPlan plan);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  int cuts() const { return cuts_; }  // connections cut (or stalled) so far
  int connections() const { return connections_; }

 private:
  void serve();
  void relay(int client, int upstream, std::uint64_t budget, bool injure);

  int upstream_port_;
  FaultPlan plan_;
  int listener_ = -1;
  int port_ = 0;
  int wake_[2] = {-1, -1};  // a pipe that tells the threads to stop
  std::atomic<int> cuts_{0};
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
};

}  // namespace mailferry::testing
