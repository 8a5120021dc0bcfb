// init's configuration: which components to start from which boot modules, with which memory, priority, CPU
// and capabilities (docs/init.md "Configuration format").
//
// The text is untrusted (a boot module anyone building the image may write): parse_config accepts any byte
// string and either fills a Config that satisfies every rule of the format or names the first problem and its
// line. It uses no heap, no exceptions and no libc beyond memset/memcpy, so the same file builds for ring 3
// and the host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace janus::init {

inline constexpr std::size_t max_components = 16, max_caps = 16, max_endpoints = 16;
inline constexpr std::size_t name_capacity = 32;   // 31 chars + NUL
inline constexpr std::size_t module_capacity = 64; // 63 chars + NUL

enum class CapKind : std::uint8_t { serve = 1, use = 2, io_ports = 3, irq = 4 };

/// One capability a component receives. Unused fields are 0 (endpoint for io_ports/irq; a, b for serve/use).
struct CapSpec {
    CapKind kind;
    char name[name_capacity]; // the name the component sees
    std::uint16_t endpoint;   // serve/use: index into Config::endpoints
    std::uint64_t a, b;       // io_ports: first, count; irq: line, 0
};

/// Names are NUL-padded to their capacity, so two equal specs are equal byte for byte (padding aside).
struct ComponentSpec {
    char name[name_capacity];
    char elf[module_capacity];
    std::uint64_t quota, memory;
    std::uint32_t priority, cpu;
    std::uint32_t line; // the line of its `component` keyword (1-based), for init's messages
    std::size_t cap_count;
    CapSpec caps[max_caps];
};

/// Endpoints are numbered in order of first mention (serve or use) in the text; each has exactly one server.
struct EndpointSpec {
    char name[name_capacity];
    std::uint16_t server; /* index into components */
};

struct Config {
    std::size_t component_count;
    ComponentSpec components[max_components];
    std::size_t endpoint_count;
    EndpointSpec endpoints[max_endpoints];
};

struct ConfigError {
    std::uint32_t line; // 1-based line of the problem; 0 for whole-file problems (e.g. empty)
    char message[96];   // NUL-terminated English text, no trailing newline
};

/// Parses `text`; true and `out` filled on success, false and `error` filled otherwise (out is then
/// unspecified).
bool parse_config(std::string_view text, Config& out, ConfigError& error);

} // namespace janus::init
