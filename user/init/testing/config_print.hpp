// Host-only: a Config written back in the configuration format (docs/init.md), one property or capability per
// line in the Config's order, every value explicit. Parsing the text gives the same Config except for the
// components' line numbers; the fuzz target and the property tests use that as a round-trip oracle.
#pragma once

#include <string>

#include "user/init/config.hpp"
#include "user/init/testing/config_check.hpp"

namespace janus::init::testing {

inline std::string print_config(const Config& c) {
    std::string t;
    for (std::size_t i = 0; i < c.component_count; ++i) {
        const ComponentSpec& s = c.components[i];
        t += "component " + field(s.name) + "\n";
        t += "  elf " + field(s.elf) + "\n";
        t += "  quota " + std::to_string(s.quota) + "\n";
        t += "  memory " + std::to_string(s.memory) + "\n";
        t += "  priority " + std::to_string(s.priority) + "\n";
        t += "  cpu " + std::to_string(s.cpu) + "\n";
        for (std::size_t k = 0; k < s.cap_count; ++k) {
            const CapSpec& cap = s.caps[k];
            std::string endpoint = cap.endpoint < max_endpoints ? field(c.endpoints[cap.endpoint].name) : "?";
            switch (cap.kind) {
            case CapKind::serve:
                t += "  serve " + endpoint + "\n";
                break;
            case CapKind::use:
                t += "  use " + endpoint + " " + field(cap.name) + "\n";
                break;
            case CapKind::io_ports:
                t += "  ioports " + field(cap.name) + " " + std::to_string(cap.a) + " " +
                     std::to_string(cap.b) + "\n";
                break;
            case CapKind::irq:
                t += "  irq " + field(cap.name) + " " + std::to_string(cap.a) + "\n";
                break;
            default:
                t += "  # unknown capability kind\n";
                break;
            }
        }
    }
    return t;
}

} // namespace janus::init::testing
