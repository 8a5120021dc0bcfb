// When init ends the run, and with which status (docs/init.md "Starting the system"). Pure, so it is tested
// on the host (run_policy_test.cpp).
//
// A client is a component that serves no endpoint; a server serves at least one. The run ends when no client
// is running any more (each exited, faulted or could not be started) — or, for a configuration without
// clients, when no component is running at all (otherwise init supervises its servers for ever). Its status
// is 0 exactly when every component was started, none faulted and every one that exited exited with 0;
// otherwise 1. Servers still running at the end are torn down by init before it exits.
#pragma once

#include <cstddef>
#include <cstdint>

namespace janus::init {

enum class State : std::uint8_t { not_started, running, exited, faulted };

struct Record {
    State state;
    bool server;
    std::int64_t exit_status; ///< valid when state == exited
};

struct Verdict {
    bool ended;
    int status; ///< valid when ended: 0 success, 1 failure
};

inline Verdict judge(const Record* records, std::size_t count) {
    std::size_t clients = 0, clients_running = 0, running = 0;
    bool failed = false;
    for (std::size_t i = 0; i < count; ++i) {
        const Record& r = records[i];
        if (!r.server) ++clients;
        if (r.state == State::running) {
            ++running;
            if (!r.server) ++clients_running;
        }
        if (r.state == State::not_started || r.state == State::faulted ||
            (r.state == State::exited && r.exit_status != 0))
            failed = true;
    }
    const bool ended = clients_running == 0 && (clients > 0 || running == 0);
    return {ended, failed ? 1 : 0};
}

} // namespace janus::init
