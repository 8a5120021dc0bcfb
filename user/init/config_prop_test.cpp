// RapidCheck properties of init's configuration parser (ctest init.ConfigProp.*, prop tier).
//
// A random valid configuration (within every limit, endpoints used before or after they are served, irq lines
// and capability names unique where the format says so) is written as text by a printer that varies
// everything the format leaves free: indentation, separators, comments, blank lines, CRLF, the order of
// properties, defaults left out, numbers in decimal, hex and with size suffixes. Parsing must give exactly
// the configuration back, line numbers included. Random mutations of such texts must never crash and must
// either parse into a configuration that keeps every rule (and survives a round trip through the canonical
// printer) or fail on a line inside the text.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "user/init/config.hpp"
#include "user/init/testing/config_check.hpp"
#include "user/init/testing/config_print.hpp"

using namespace janus::init;
using namespace janus::init::testing;

namespace {

constexpr std::uint64_t K = 1024, M = K * K, G = M * K;

// ---- the generated configuration, with endpoints by name ----

struct CapModel {
    CapKind kind;
    std::string name;     // what the component sees
    std::string endpoint; // serve/use
    bool explicit_as;     // use: AS written out even if it equals the endpoint
    std::uint64_t a = 0, b = 0;
};

struct ComponentModel {
    std::string name, elf;
    std::uint64_t quota, memory;
    std::uint32_t priority, cpu;
    std::vector<CapModel> caps;
};

template <typename T>
T draw(T low, T high_inclusive) {
    return *rc::gen::inRange<T>(low, high_inclusive + 1);
}

bool coin() {
    return *rc::gen::arbitrary<bool>();
}

std::string random_name(std::size_t max_length) {
    static const std::string first = "abcdefghijklmnopqrstuvwxyz";
    static const std::string rest = first + "0123456789_-";
    std::string s(1, first[draw<std::size_t>(0, first.size() - 1)]);
    std::size_t length = draw<std::size_t>(1, max_length);
    while (s.size() < length) s += rest[draw<std::size_t>(0, rest.size() - 1)];
    return s;
}

/// A name no entry of `taken` has; sometimes as long as names may be. RapidCheck's ranges shrink to their
/// lower end at small sizes, so a collision is resolved by a counter, not by drawing again.
std::string fresh_name(std::set<std::string>& taken) {
    std::string s = random_name(coin() ? 31 : 6);
    for (std::size_t n = 0; !taken.insert(s).second; ++n) s = s.substr(0, 20) + "-" + std::to_string(n);
    return s;
}

std::string random_module() {
    static const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/-";
    std::size_t length = draw<std::size_t>(1, coin() ? 63 : 12);
    std::string s;
    while (s.size() < length) s += chars[draw<std::size_t>(0, chars.size() - 1)];
    return s;
}

std::uint64_t pick(std::initializer_list<std::uint64_t> edges, std::uint64_t low, std::uint64_t high) {
    std::size_t i = draw<std::size_t>(0, edges.size());
    return i < edges.size() ? edges.begin()[i] : draw<std::uint64_t>(low, high);
}

std::vector<ComponentModel> random_configuration() {
    std::size_t n = draw<std::size_t>(1, max_components);
    std::set<std::string> component_names, endpoint_names;
    std::vector<ComponentModel> components(n);
    for (ComponentModel& c : components) {
        c.name = fresh_name(component_names);
        c.elf = random_module();
        c.quota = pick({16 * K, G, 256 * K}, 16 * K, G);
        c.memory = pick({0, 64 * M / (4 * K), 64 * K / (4 * K)}, 0, 64 * M / (4 * K)) * 4 * K;
        c.priority = static_cast<std::uint32_t>(pick({0, 254, 100}, 0, 254));
        c.cpu = static_cast<std::uint32_t>(pick({0, 63}, 0, 63));
    }
    // Endpoints and their servers; each server's serve capabilities come first, shuffled in below.
    std::size_t endpoint_count = draw<std::size_t>(0, max_endpoints);
    std::vector<std::string> endpoints;
    for (std::size_t e = 0; e < endpoint_count; ++e) {
        endpoints.push_back(fresh_name(endpoint_names));
        std::size_t server = draw<std::size_t>(0, n - 1);
        components[server].caps.push_back({CapKind::serve, endpoints.back(), endpoints.back(), false});
    }
    std::vector<std::uint64_t> free_lines;
    for (std::uint64_t line = 0; line < 24; ++line) free_lines.push_back(line);
    for (ComponentModel& c : components) {
        std::set<std::string> names;
        for (const CapModel& cap : c.caps) names.insert(cap.name);
        std::size_t extra = draw<std::size_t>(0, max_caps - c.caps.size());
        for (std::size_t k = 0; k < extra; ++k) {
            int kind = draw(0, 2);
            if (kind == 0 && !endpoints.empty()) {
                std::string e = endpoints[draw<std::size_t>(0, endpoints.size() - 1)];
                bool default_name = coin() && !names.count(e);
                std::string name = default_name ? e : fresh_name(names);
                if (default_name) names.insert(e);
                c.caps.push_back({CapKind::use, name, e, !default_name || coin()});
            } else if (kind == 1 || free_lines.empty()) {
                std::uint64_t first = pick({0, 65535, 0x3F8}, 0, 65535);
                std::uint64_t count =
                    coin() ? 65536 - first
                           : draw<std::uint64_t>(1, std::min<std::uint64_t>(16, 65536 - first));
                c.caps.push_back({CapKind::io_ports, fresh_name(names), "", false, first, count});
            } else {
                std::size_t i = draw<std::size_t>(0, free_lines.size() - 1);
                c.caps.push_back({CapKind::irq, fresh_name(names), "", false, free_lines[i], 0});
                free_lines.erase(free_lines.begin() + static_cast<std::ptrdiff_t>(i));
            }
        }
        for (std::size_t k = c.caps.size(); k > 1; --k)
            std::swap(c.caps[k - 1], c.caps[draw<std::size_t>(0, k - 1)]);
    }
    return components;
}

// ---- the printer, varying what the format leaves free ----

std::string number(std::uint64_t v, bool size) {
    std::string suffix;
    if (size && v != 0 && coin()) {
        for (auto [unit, letter] : {std::pair{G, "G"}, std::pair{M, "M"}, std::pair{K, "K"}})
            if (v % unit == 0 && coin()) {
                v /= unit;
                suffix = letter;
                break;
            }
    }
    std::string digits;
    switch (draw(0, 3)) {
    case 0: {
        static const char* lower = "0123456789abcdef";
        static const char* upper = "0123456789ABCDEF";
        const char* hex = coin() ? lower : upper;
        do digits.insert(digits.begin(), hex[v % 16]);
        while ((v /= 16) != 0);
        digits = "0x" + std::string(draw(0, 2), '0') + digits;
        break;
    }
    case 1:
        digits = std::string(draw(1, 3), '0') + std::to_string(v);
        break;
    default:
        digits = std::to_string(v);
        break;
    }
    return digits + suffix;
}

class Printer {
public:
    /// Text for `components`; `lines` receives each component's line.
    std::string print(const std::vector<ComponentModel>& components, std::vector<std::uint32_t>& lines) {
        for (const ComponentModel& c : components) {
            noise();
            lines.push_back(line_);
            emit({"component", c.name});
            std::vector<std::vector<std::string>> properties{{"elf", c.elf}};
            if (c.quota != 256 * K || coin()) properties.push_back({"quota", number(c.quota, true)});
            if (c.memory != 64 * K || coin()) properties.push_back({"memory", number(c.memory, true)});
            if (c.priority != 100 || coin()) properties.push_back({"priority", number(c.priority, false)});
            if (c.cpu != 0 || coin()) properties.push_back({"cpu", number(c.cpu, false)});
            for (std::size_t k = properties.size(); k > 1; --k)
                std::swap(properties[k - 1], properties[draw<std::size_t>(0, k - 1)]);
            // Properties interleaved with the capabilities, which keep their order.
            std::size_t p = 0, k = 0;
            while (p < properties.size() || k < c.caps.size()) {
                noise();
                if (k == c.caps.size() || (p < properties.size() && coin())) {
                    emit(properties[p++]);
                    continue;
                }
                const CapModel& cap = c.caps[k++];
                switch (cap.kind) {
                case CapKind::serve:
                    emit({"serve", cap.endpoint});
                    break;
                case CapKind::use:
                    if (cap.explicit_as)
                        emit({"use", cap.endpoint, cap.name});
                    else
                        emit({"use", cap.endpoint});
                    break;
                case CapKind::io_ports:
                    emit({"ioports", cap.name, number(cap.a, false), number(cap.b, false)});
                    break;
                case CapKind::irq:
                    emit({"irq", cap.name, number(cap.a, false)});
                    break;
                }
            }
        }
        noise();
        // The last line may end without '\n', and then with or without the '\r' that preceded it.
        if (!text_.empty() && text_.back() == '\n' && coin()) {
            text_.pop_back();
            if (!text_.empty() && text_.back() == '\r' && coin()) text_.pop_back();
        }
        return text_;
    }

private:
    void end_line() {
        text_ += coin() ? "\n" : "\r\n";
        ++line_;
    }
    std::string space() {
        static const char* spaces[] = {" ", " ", "\t", "  ", " \t "};
        return spaces[draw(0, 4)];
    }
    /// Blank and comment lines, sometimes.
    void noise() {
        for (int n = draw(0, 4) == 0 ? draw(1, 2) : 0; n > 0; --n) {
            if (coin())
                text_ += space() + "# comment: component x, elf y, 0x10K";
            else if (coin())
                text_ += space();
            end_line();
        }
    }
    void emit(const std::vector<std::string>& tokens) {
        if (coin()) text_ += space();
        for (std::size_t i = 0; i < tokens.size(); ++i) text_ += (i ? space() : "") + tokens[i];
        switch (draw(0, 3)) {
        case 0:
            text_ += space();
            break;
        case 1:
            text_ += space() + "# " + tokens[0];
            break;
        case 2:
            text_ += "#";
            break;
        default:
            break;
        }
        end_line();
    }

    std::string text_;
    std::uint32_t line_ = 1;
};

/// The Config the text must give: endpoints numbered by first mention, in text order.
void expected_config(const std::vector<ComponentModel>& components, const std::vector<std::uint32_t>& lines,
                     Config& out) {
    std::vector<std::string> endpoints;
    auto index = [&](const std::string& name) {
        auto it = std::find(endpoints.begin(), endpoints.end(), name);
        if (it != endpoints.end()) return static_cast<std::uint16_t>(it - endpoints.begin());
        endpoints.push_back(name);
        return static_cast<std::uint16_t>(endpoints.size() - 1);
    };
    auto put = [](char* field, std::size_t capacity, const std::string& s) {
        std::fill(field, field + capacity, '\0');
        std::copy(s.begin(), s.end(), field);
    };
    out.component_count = components.size();
    for (std::size_t i = 0; i < components.size(); ++i) {
        const ComponentModel& m = components[i];
        ComponentSpec& s = out.components[i];
        put(s.name, name_capacity, m.name);
        put(s.elf, module_capacity, m.elf);
        s.quota = m.quota;
        s.memory = m.memory;
        s.priority = m.priority;
        s.cpu = m.cpu;
        s.line = lines[i];
        s.cap_count = m.caps.size();
        for (std::size_t k = 0; k < m.caps.size(); ++k) {
            const CapModel& cm = m.caps[k];
            CapSpec& cap = s.caps[k];
            cap.kind = cm.kind;
            put(cap.name, name_capacity, cm.name);
            bool endpoint = cm.kind == CapKind::serve || cm.kind == CapKind::use;
            cap.endpoint = endpoint ? index(cm.endpoint) : 0;
            cap.a = cm.a;
            cap.b = cm.b;
            if (cm.kind == CapKind::serve) out.endpoints[cap.endpoint].server = static_cast<std::uint16_t>(i);
        }
    }
    out.endpoint_count = endpoints.size();
    for (std::size_t e = 0; e < endpoints.size(); ++e)
        put(out.endpoints[e].name, name_capacity, endpoints[e]);
}

// ---- mutations ----

std::string mutate(std::string text) {
    static const std::vector<std::string> tokens = {"component", "elf",
                                                    "quota",     "memory",
                                                    "priority",  "cpu",
                                                    "serve",     "use",
                                                    "ioports",   "irq",
                                                    "#",         " ",
                                                    "\t",        "\n",
                                                    "\r\n",      "\r",
                                                    "0x",        "K",
                                                    "M",         "G",
                                                    "255",       "24",
                                                    "65536",     "16",
                                                    "0",         "18446744073709551616",
                                                    "a",         std::string(1, '\0'),
                                                    "\x7F",      "\xC3\xA9"};
    std::size_t count = draw<std::size_t>(1, 8);
    for (std::size_t i = 0; i < count; ++i) {
        std::size_t at = draw<std::size_t>(0, text.size());
        switch (draw(0, 5)) {
        case 0:
            if (at < text.size()) text[at] = static_cast<char>(draw(0, 255));
            break;
        case 1:
            text.insert(at, tokens[draw<std::size_t>(0, tokens.size() - 1)]);
            break;
        case 2:
            text.erase(at, draw<std::size_t>(0, 12));
            break;
        case 3: { // duplicate the line at `at`
            std::size_t begin = text.rfind('\n', at ? at - 1 : 0);
            begin = begin == std::string::npos || at == 0 ? 0 : begin + 1;
            std::size_t end = text.find('\n', at);
            end = end == std::string::npos ? text.size() : end + 1;
            text.insert(begin, text.substr(begin, end - begin));
            break;
        }
        case 4:
            text.resize(at);
            break;
        default:
            text.insert(at, 1, static_cast<char>(draw(0, 255)));
            break;
        }
    }
    return text;
}

Config parsed, reparsed, expected;
ConfigError error;

/// Lines of the text whose first token is `component`, counted without the parser.
std::size_t component_lines(const std::string& text) {
    std::size_t n = 0, begin = 0;
    while (begin < text.size()) {
        std::size_t end = text.find('\n', begin);
        if (end == std::string::npos) end = text.size();
        std::size_t i = text.find_first_not_of(" \t", begin);
        if (i < end && text.compare(i, 9, "component") == 0 &&
            (i + 9 == end || text[i + 9] == ' ' || text[i + 9] == '\t' || text[i + 9] == '#' ||
             text[i + 9] == '\r'))
            ++n;
        begin = end + 1;
    }
    return n;
}

} // namespace

RC_GTEST_PROP(ConfigProp, APrintedValidConfigurationParsesBackExactly, ()) {
    std::vector<ComponentModel> model = random_configuration();
    std::vector<std::uint32_t> lines;
    std::string text = Printer().print(model, lines);
    expected_config(model, lines, expected);
    RC_ASSERT(check_config(expected) == std::string());
    bool ok = parse_config(text, parsed, error);
    if (!ok) RC_FAIL("refused at line " + std::to_string(error.line) + ": " + error.message + "\n" + text);
    RC_ASSERT(compare_configs(expected, parsed, true) == std::string());
    // The canonical form parses to the same configuration too.
    RC_ASSERT(parse_config(print_config(parsed), reparsed, error));
    RC_ASSERT(compare_configs(parsed, reparsed, false) == std::string());
}

RC_GTEST_PROP(ConfigProp, MutatedConfigurationsParseSoundlyOrFailOnALineOfTheText, ()) {
    std::vector<ComponentModel> model = random_configuration();
    std::vector<std::uint32_t> lines;
    std::string text = mutate(Printer().print(model, lines));
    RC_TAG(text.size() < 64 ? "short" : "long");
    if (parse_config(text, parsed, error)) {
        RC_TAG("accepted");
        std::string broken = check_config(parsed);
        if (!broken.empty()) RC_FAIL("accepted a configuration that breaks a rule: " + broken + "\n" + text);
        RC_ASSERT(parsed.component_count == component_lines(text));
        for (std::size_t i = 0; i < parsed.component_count; ++i)
            RC_ASSERT(parsed.components[i].line <= count_lines(text));
        RC_ASSERT(parse_config(print_config(parsed), reparsed, error));
        RC_ASSERT(compare_configs(parsed, reparsed, false) == std::string());
        return;
    }
    RC_TAG("refused");
    const char* nul = static_cast<const char*>(std::memchr(error.message, '\0', sizeof error.message));
    RC_ASSERT(nul != nullptr);
    RC_ASSERT(nul != error.message);
    for (const char* c = error.message; c != nul; ++c) RC_ASSERT(*c >= 0x20 && *c <= 0x7E);
    RC_ASSERT(error.line <= count_lines(text));
    if (error.line == 0) RC_ASSERT(std::string(error.message).rfind("no component", 0) == 0);
}
