// What a component started by init (user/init) finds at start: its environment page.
//
// thread_start gives a new thread no start words (every register but rip and rsp is 0), so init maps one
// read-only page at env_address into each component before starting it. The page names the component, the
// memory init gave it (its pool, read-write at pool .. pool + pool_bytes) and every capability its
// configuration entry hands it, by the name the configuration gives it (docs/init.md). A component asks for
// its capabilities by name (cap()), never by a selector number of its own.
#pragma once

#include <cstddef>
#include <cstdint>

namespace janus::component {

/// The environment page's address in every component's address space (one page, read-only).
inline constexpr std::uint64_t env_address = 0x0000'0030'0000'0000;
/// "JCompEnv" in memory: a page with another value is not an environment.
inline constexpr std::uint64_t env_magic = 0x766e45706d6f434a;
inline constexpr std::size_t name_max = 32; ///< names: up to 31 characters and a NUL
inline constexpr std::size_t max_caps = 16;

/// What a capability entry stands for.
enum class CapKind : std::uint64_t {
    endpoint_serve = 1, ///< an endpoint the component serves: read, write, grant; unbadged
    endpoint_use = 2,   ///< an endpoint it calls: write only, badged with the component's number (1, 2, ...)
    io_ports = 3,       ///< an io_ports capability (read, write): a = first port, b = count
    irq = 4,            ///< an irq object (control): a = line
};

struct Cap {
    char name[name_max];
    std::uint64_t sel;  ///< selector in the component's own capability space
    std::uint64_t kind; ///< CapKind
    std::uint64_t a, b;
};

struct Env {
    std::uint64_t magic;  ///< env_magic
    char name[name_max];  ///< the component's name in the configuration
    std::uint64_t number; ///< 1, 2, ... in configuration order (the badge of its endpoint_use capabilities)
    std::uint64_t pd_sel; ///< its own protection domain (control right)
    std::uint64_t thread_sel; ///< its first thread (control right)
    std::uint64_t pool;       ///< start of its read-write memory (page aligned)
    std::uint64_t pool_bytes;
    std::uint64_t cpu;       ///< the CPU its first thread runs on
    std::uint64_t cpu_count; ///< CPUs thread_create accepts: 0 .. cpu_count - 1
    std::uint64_t free_sel;  ///< the first selector of its capability space init left empty
    std::uint64_t cap_count;
    Cap caps[max_caps];
};
static_assert(sizeof(Env) <= 4096, "the environment is one page");

/// The environment page, or nullptr if the page there is not one. Only for programs init starts: elsewhere
/// nothing is mapped at env_address and the read faults.
inline const Env* env() {
    const auto* e = reinterpret_cast<const Env*>(env_address);
    return e->magic == env_magic ? e : nullptr;
}

/// The capability entry named `name`, or nullptr.
inline const Cap* find_cap(const char* name) {
    const Env* e = env();
    if (!e) return nullptr;
    for (std::uint64_t i = 0; i < e->cap_count && i < max_caps; ++i) {
        const char* a = e->caps[i].name;
        const char* b = name;
        while (*a && *a == *b) ++a, ++b;
        if (*a == *b) return &e->caps[i];
    }
    return nullptr;
}

/// The selector of the capability named `name`, or 0 (never a valid selector) if there is none.
inline std::uint64_t cap(const char* name) {
    const Cap* c = find_cap(name);
    return c ? c->sel : 0;
}

} // namespace janus::component
