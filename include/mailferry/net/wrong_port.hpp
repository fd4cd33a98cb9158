// Turns what a port was found to speak into advice naming the scheme and port
// to use instead: "this port speaks POP3, not IMAP: use pop3s://...", "the
// server does not speak TLS on this port: use imap://... (STARTTLS)", "the
// port expects TLS: use imaps://...".
//
// Pure: the finding comes from the failed login's greeting or from
// probe_port().
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "mailferry/net/connection.hpp"
#include "mailferry/net/port_probe.hpp"

namespace mailferry::net {

// The advice (without the endpoint in front), or nullopt when the finding
// matches what `wanted` asks for, or says nothing (the port was not reached):
// then the failure has another cause. `waited` is the greeting timeout, named
// when the port stayed silent.
std::optional<std::string> explain_wrong_port(const ConnectOptions& wanted, const PortProbe& found,
                                              std::chrono::milliseconds waited);

}  // namespace mailferry::net
