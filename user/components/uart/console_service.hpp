// The console protocol (user/lib/console_protocol.hpp) served over a Transmitter: decode a request, send its
// bytes, say how it went. Independent of IPC and the device, so host tests drive it with a model 16550.
#pragma once

#include <cstddef>
#include <cstdint>

#include "user/components/uart/uart16550.hpp"
#include "user/lib/console_protocol.hpp"

namespace janus::components::uart {

struct ConsoleAnswer {
    console::Status status;
    std::uint64_t written;
};

/// Serves one request (`label`, `count` words at `words`) with `tx`.
template <typename Transmitter>
ConsoleAnswer serve_console(Transmitter& tx, std::uint64_t label, const std::uint64_t* words,
                            unsigned count) {
    if (label != console::label_write) return {console::Status::unknown_request, 0};
    if (console::check_write(words, count) != console::Status::ok) return {console::Status::bad_length, 0};
    const std::size_t length = words[0];
    char bytes[console::max_write];
    for (std::size_t i = 0; i < length; ++i) bytes[i] = console::byte_at(words, i);
    const Sent sent = tx.write(bytes, length);
    return {sent.stalled ? console::Status::device_stalled : console::Status::ok, sent.bytes};
}

} // namespace janus::components::uart
