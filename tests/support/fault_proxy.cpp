#include "support/fault_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <random>
#include <stdexcept>
#include <vector>

namespace mailferry::testing {
namespace {

int connect_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// An abrupt cut, as a network fault looks to both ends: RST, not FIN.
void cut(int fd) {
  linger hard{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  ::close(fd);
}

}  // namespace

FaultProxy::FaultProxy(int upstream_port, FaultPlan plan)
    : upstream_port_(upstream_port), plan_(plan) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 16) != 0)
    throw std::runtime_error("fault proxy: cannot listen on loopback");
  socklen_t length = sizeof address;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  if (::pipe(wake_) != 0) throw std::runtime_error("fault proxy: pipe");
  acceptor_ = std::thread([this] { serve(); });
}

FaultProxy::~FaultProxy() {
  stopping_ = true;
  (void)::write(wake_[1], "x", 1);
  acceptor_.join();
  ::close(listener_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void FaultProxy::serve() {
  std::mt19937_64 random(plan_.seed);
  std::vector<std::thread> relays;
  while (!stopping_) {
    pollfd fds[2] = {{listener_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) <= 0 || (fds[1].revents & POLLIN)) break;
    int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    ++connections_;
    int upstream = connect_loopback(upstream_port_);
    if (upstream < 0) {
      ::close(client);
      continue;
    }
    const bool injure = plan_.cut_max_bytes > 0 && cuts_ < plan_.max_cuts;
    std::uint64_t budget = 0;
    if (injure)
      budget = std::uniform_int_distribution<std::uint64_t>(plan_.cut_min_bytes,
                                                            plan_.cut_max_bytes)(random);
    relays.emplace_back(
        [this, client, upstream, budget, injure] { relay(client, upstream, budget, injure); });
  }
  for (auto& t : relays) t.join();
}

void FaultProxy::relay(int client, int upstream, std::uint64_t budget, bool injure) {
  std::uint64_t forwarded = 0;
  bool stalled = false;
  char buffer[16384];
  for (;;) {
    pollfd fds[3] = {{client, static_cast<short>(stalled ? 0 : POLLIN), 0},
                     {upstream, static_cast<short>(stalled ? 0 : POLLIN), 0},
                     {wake_[0], POLLIN, 0}};
    if (::poll(fds, 3, -1) <= 0 || (fds[2].revents & POLLIN)) break;
    bool closed = false;
    for (int side = 0; side < 2 && !closed; ++side) {
      if (!(fds[side].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      int from = side == 0 ? client : upstream;
      int to = side == 0 ? upstream : client;
      ssize_t n = ::recv(from, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed = true;
        break;
      }
      std::size_t send_count = static_cast<std::size_t>(n);
      if (injure && forwarded + send_count >= budget) send_count = budget - forwarded;
      if (plan_.delay_per_chunk.count() > 0) std::this_thread::sleep_for(plan_.delay_per_chunk);
      if (send_count > 0 && ::send(to, buffer, send_count, MSG_NOSIGNAL) < 0) {
        closed = true;
        break;
      }
      forwarded += send_count;
      if (injure && forwarded >= budget) {
        ++cuts_;
        if (!plan_.stall_instead_of_cut) {
          cut(client);
          cut(upstream);
          return;
        }
        stalled = true;  // keep both ends open and silent until the peer gives up
      }
    }
    if (closed) break;
  }
  ::close(client);
  ::close(upstream);
}

}  // namespace mailferry::testing
