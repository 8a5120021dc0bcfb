// Host-only oracles for init's configuration parser, shared by its tests and its fuzz target.
//
// check_config re-states every rule of docs/init.md "Configuration format" that an accepted Config must
// satisfy, from the Config alone; compare_configs names the first field in which two Configs differ. Both
// return "" when all is well, else a sentence naming the offending entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "user/init/config.hpp"

namespace janus::init::testing {

/// The field's text up to its NUL; false if the field holds no NUL.
template <std::size_t N>
bool terminated(const char (&field)[N], std::string& text) {
    for (std::size_t i = 0; i < N; ++i)
        if (field[i] == '\0') {
            text.assign(field, i);
            return true;
        }
    return false;
}

inline bool is_name(const std::string& s) {
    if (s.empty() || s.size() > 31 || s[0] < 'a' || s[0] > 'z') return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    return true;
}

inline bool is_module(const std::string& s) {
    if (s.empty() || s.size() > 63) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '/' || c == '-'))
            return false;
    return true;
}

/// The field's text up to its NUL or its end (for fields not yet known to be terminated).
template <std::size_t N>
std::string field(const char (&f)[N]) {
    std::size_t n = 0;
    while (n < N && f[n] != '\0') ++n;
    return std::string(f, n);
}

/// Every rule an accepted configuration satisfies.
inline std::string check_config(const Config& c) {
    constexpr std::uint64_t K = 1024;
    if (c.component_count < 1 || c.component_count > max_components)
        return "component_count " + std::to_string(c.component_count);
    if (c.endpoint_count > max_endpoints) return "endpoint_count " + std::to_string(c.endpoint_count);

    std::set<std::string> component_names, endpoint_names;
    std::set<std::uint64_t> irq_lines;
    std::size_t serves_of[max_endpoints] = {};
    std::size_t mentioned = 0; // endpoints numbered so far, walking the caps in text order
    std::uint32_t previous_line = 0;
    for (std::size_t i = 0; i < c.component_count; ++i) {
        const ComponentSpec& s = c.components[i];
        std::string name, elf;
        std::string where = "component " + std::to_string(i);
        if (!terminated(s.name, name) || !is_name(name)) return where + ": bad name";
        where += " '" + name + "'";
        if (!component_names.insert(name).second) return where + ": name twice";
        if (!terminated(s.elf, elf) || !is_module(elf)) return where + ": bad elf";
        if (s.quota < 16 * K || s.quota > K * K * K) return where + ": quota " + std::to_string(s.quota);
        if (s.memory > 64 * K * K || s.memory % (4 * K) != 0)
            return where + ": memory " + std::to_string(s.memory);
        if (s.priority > 254) return where + ": priority " + std::to_string(s.priority);
        if (s.cpu > 63) return where + ": cpu " + std::to_string(s.cpu);
        if (s.line <= previous_line)
            return where + ": line " + std::to_string(s.line) + " not after the last";
        previous_line = s.line;
        if (s.cap_count > max_caps) return where + ": cap_count " + std::to_string(s.cap_count);
        std::set<std::string> cap_names;
        for (std::size_t k = 0; k < s.cap_count; ++k) {
            const CapSpec& cap = s.caps[k];
            std::string cap_name;
            std::string at = where + " cap " + std::to_string(k);
            if (!terminated(cap.name, cap_name) || !is_name(cap_name)) return at + ": bad name";
            if (!cap_names.insert(cap_name).second) return at + ": name '" + cap_name + "' twice";
            switch (cap.kind) {
            case CapKind::serve:
            case CapKind::use: {
                if (cap.endpoint >= c.endpoint_count)
                    return at + ": endpoint " + std::to_string(cap.endpoint);
                if (cap.endpoint > mentioned) return at + ": endpoint numbered out of order of first mention";
                if (cap.endpoint == mentioned) ++mentioned;
                const EndpointSpec& e = c.endpoints[cap.endpoint];
                if (e.server >= c.component_count)
                    return at + ": endpoint's server " + std::to_string(e.server);
                if (cap.a != 0 || cap.b != 0) return at + ": a/b set on an endpoint capability";
                if (cap.kind == CapKind::serve) {
                    ++serves_of[cap.endpoint];
                    if (e.server != i) return at + ": serves an endpoint whose server is another component";
                    std::string endpoint_name;
                    if (!terminated(e.name, endpoint_name) || endpoint_name != cap_name)
                        return at + ": serve capability not named after its endpoint";
                }
                break;
            }
            case CapKind::io_ports:
                if (cap.b < 1 || cap.a >= 65536 || cap.b > 65536 - cap.a)
                    return at + ": ports " + std::to_string(cap.a) + " count " + std::to_string(cap.b);
                if (cap.endpoint != 0) return at + ": endpoint set on io_ports";
                break;
            case CapKind::irq:
                if (cap.a > 23 || cap.b != 0) return at + ": irq line " + std::to_string(cap.a);
                if (!irq_lines.insert(cap.a).second)
                    return at + ": irq line " + std::to_string(cap.a) + " twice";
                if (cap.endpoint != 0) return at + ": endpoint set on irq";
                break;
            default:
                return at + ": kind " + std::to_string(unsigned(cap.kind));
            }
        }
    }
    if (mentioned != c.endpoint_count) return "endpoints never mentioned by any capability";
    for (std::size_t e = 0; e < c.endpoint_count; ++e) {
        std::string name;
        if (!terminated(c.endpoints[e].name, name) || !is_name(name))
            return "endpoint " + std::to_string(e) + ": bad name";
        if (!endpoint_names.insert(name).second) return "endpoint '" + name + "' twice";
        if (serves_of[e] != 1)
            return "endpoint '" + name + "' served " + std::to_string(serves_of[e]) + " times";
    }
    return "";
}

/// The first difference between two configurations; component lines are compared only with `lines`.
inline std::string compare_configs(const Config& a, const Config& b, bool lines) {
    if (a.component_count != b.component_count) return "component_count";
    if (a.endpoint_count != b.endpoint_count) return "endpoint_count";
    for (std::size_t i = 0; i < a.component_count; ++i) {
        const ComponentSpec &x = a.components[i], &y = b.components[i];
        std::string at = "component " + std::to_string(i) + " ";
        if (field(x.name) != field(y.name)) return at + "name";
        if (field(x.elf) != field(y.elf)) return at + "elf";
        if (x.quota != y.quota) return at + "quota";
        if (x.memory != y.memory) return at + "memory";
        if (x.priority != y.priority) return at + "priority";
        if (x.cpu != y.cpu) return at + "cpu";
        if (lines && x.line != y.line) return at + "line";
        if (x.cap_count != y.cap_count) return at + "cap_count";
        for (std::size_t k = 0; k < x.cap_count; ++k) {
            const CapSpec &p = x.caps[k], &q = y.caps[k];
            std::string cap = at + "cap " + std::to_string(k) + " ";
            if (p.kind != q.kind) return cap + "kind";
            if (field(p.name) != field(q.name)) return cap + "name";
            if (p.endpoint != q.endpoint) return cap + "endpoint";
            if (p.a != q.a || p.b != q.b) return cap + "a/b";
        }
    }
    for (std::size_t e = 0; e < a.endpoint_count; ++e) {
        if (field(a.endpoints[e].name) != field(b.endpoints[e].name))
            return "endpoint " + std::to_string(e) + " name";
        if (a.endpoints[e].server != b.endpoints[e].server)
            return "endpoint " + std::to_string(e) + " server";
    }
    return "";
}

/// Lines of a text as the format counts them: a last line without '\n' counts, an empty text has none.
inline std::size_t count_lines(std::string_view text) {
    std::size_t n = 0;
    for (char ch : text) n += ch == '\n';
    return n + (!text.empty() && text.back() != '\n');
}

} // namespace janus::init::testing
