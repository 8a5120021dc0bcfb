// The program's debug output.
//
// The ABI has no console syscall yet. Until the IPC work connects a real path (a log or console endpoint),
// text goes into janus_user_debug_log, a fixed buffer at a global symbol: hostsim and a debugger read it from
// the program's memory by that name after (or during) a run. A program can redirect its output with
// set_debug_out(); the IPC issue is expected to install a sink that sends each line to a console server.
#pragma once

#include <cstddef>
#include <cstdint>

#include "user/lib/sink.hpp"

namespace janus::user {

/// Layout of janus_user_debug_log, fixed so tools outside the program can read it.
struct DebugLog {
    static constexpr std::uint64_t magic_value =
        0x676f4c73756e614a;                        ///< "JanusLog" in memory: marks a written log
    static constexpr std::size_t capacity = 65536; ///< the whole suite's report, notes included

    std::uint64_t magic;   ///< magic_value once anything was written
    std::uint64_t length;  ///< valid bytes in text
    std::uint64_t dropped; ///< bytes that did not fit
    char text[capacity];
};

/// Where debug output goes now: the debug log unless set_debug_out() chose another sink.
Sink& debug_out();
void set_debug_out(Sink& sink);

/// The sink that appends to janus_user_debug_log.
Sink& debug_log_sink();

} // namespace janus::user

extern "C" janus::user::DebugLog janus_user_debug_log;
