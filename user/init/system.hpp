// init's state: the configuration, the boot modules, its page pool and what became of each component.
// One System lives in static storage (main.cpp); start.cpp starts components into it, supervise.cpp watches
// them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/abi/abi.hpp"
#include "user/init/boot_modules.hpp"
#include "user/init/config.hpp"
#include "user/init/page_pool.hpp"
#include "user/init/run_policy.hpp"
#include "user/lib/abi_types.hpp"
#include "user/lib/format.hpp"

namespace janus::init {

/// Selectors in init's own capability space (the root's: 2^12 slots; 1..4 are the boot capabilities).
namespace sel {
inline constexpr std::uint64_t fault_ep = 8;       ///< the exception endpoint init serves
inline constexpr std::uint64_t fault_reply = 9;    ///< where exception messages' reply capabilities land
inline constexpr std::uint64_t endpoints = 16;     ///< + endpoint index: the configured endpoints
inline constexpr std::uint64_t components = 64;    ///< + 32 * component index: that component's block
inline constexpr std::uint64_t per_component = 32; ///< pd, thread, badged fault endpoint, caps' originals
static_assert(endpoints + max_endpoints <= components);
static_assert(3 + max_caps <= per_component && components + max_components * per_component <= 4096);

inline user::Sel endpoint(std::size_t e) {
    return user::Sel{endpoints + e};
}
inline user::Sel pd(std::size_t c) {
    return user::Sel{components + per_component * c};
}
inline user::Sel thread(std::size_t c) {
    return user::Sel{components + per_component * c + 1};
}
inline user::Sel fault_badged(std::size_t c) {
    return user::Sel{components + per_component * c + 2};
}
/// init's original of capability `k` of component `c` (io_ports and irq objects init created for it).
inline user::Sel original(std::size_t c, std::size_t k) {
    return user::Sel{components + per_component * c + 3 + k};
}
} // namespace sel

/// Selectors in a component's own capability space (2^component_cap_order slots).
namespace component_sel {
inline constexpr std::uint64_t pd = 1, thread = 2, first_cap = 3;
} // namespace component_sel
inline constexpr std::uint64_t component_cap_order = 6;

inline constexpr std::size_t max_modules = 64;

struct Component {
    Record record;       ///< state, server or client, exit status (run_policy.hpp)
    bool probing;        ///< its #UD was answered with the exit probe; the next message says which
    std::uint64_t ud_ip; ///< where that #UD was
};

struct System {
    Config config;
    BootModule modules[max_modules];
    std::size_t module_count;
    PagePool pool;
    std::uint64_t cpu_count;
    Component components[max_components];
};

/// Prints `init: ` and the formatted text (with its newline) on the kernel console.
template <typename... A>
void say(const char* format, const A&... args);

/// The console sink init prints through (debug_write, a line at a time).
user::Sink& console();

template <typename... A>
void say(const char* format, const A&... args) {
    user::print(console(), "init: ");
    user::print(console(), format, args...);
}

/// Starts component `index` of the configuration (in config order); false (and a message) if it could not be
/// started, in which case nothing of it remains.
bool start_component(System& system, std::size_t index);

/// Deletes everything init made for component `index`: its domain (with its threads, mappings and copies of
/// capabilities), its badged fault endpoint and the io_ports and irq objects made for it.
void tear_down(System& system, std::size_t index);

/// run_policy's verdict over every component.
Verdict judge_all(const System& system);

/// Serves the exception endpoint until the run ends (run_policy.hpp); returns init's exit status.
int supervise(System& system);

} // namespace janus::init
