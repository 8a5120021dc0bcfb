// The system boot as schedule-explorer scenarios: init (user/init) with its configuration and the uart, timer
// and hello components (user/components), the very ELF files janus-system.iso boots, as boot modules of a
// hostsim machine with a 16550 at COM1 (hostsim/uart16550.hpp). The run must end with init's success, and
// print user/system/system.expect in order: init's lines on the kernel console, the client's on COM1 through
// the ring-3 driver's port I/O — and none of the client's on the kernel console, so the text really took the
// driver's path. The same file is what system.hw.boot checks QEMU's serial log against.
//
//   usermode.system_cpus1 / _cpus2
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "hostsim/scenario.hpp"
#include "hostsim/usermode/sim_boot.hpp"

namespace hostsim::usermode {
namespace {

struct Expected {
    bool uart; ///< on COM1 through the driver (else: the kernel console)
    std::string regex;
};

/// user/system/system.expect, or an empty list with `problem` set.
std::vector<Expected> expectations(std::string& problem) {
    std::ifstream in(JANUS_SYSTEM_DIR "/system.expect");
    if (!in) problem = "cannot read " JANUS_SYSTEM_DIR "/system.expect";
    std::vector<Expected> out;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.find(' ');
        const std::string where = line.substr(0, space);
        if (space == std::string::npos || (where != "kernel" && where != "uart")) {
            problem = "system.expect: not '<kernel|uart> <regex>': " + line;
            return {};
        }
        out.push_back({where == "uart", line.substr(space + 1)});
    }
    return out;
}

/// The first pattern of `patterns` (in order) without a matching line in `text` after the previous one's;
/// empty if all are there.
std::string missing_in_order(const std::string& text, const std::vector<std::string>& patterns) {
    std::istringstream lines(text);
    std::string line;
    for (const std::string& p : patterns) {
        const std::regex re(p);
        bool found = false;
        while (!found && std::getline(lines, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            found = std::regex_search(line, re);
        }
        if (!found) return p;
    }
    return {};
}

BootModule module(const std::string& path, const std::string& name) {
    return BootModule{read_file(path), name};
}

void run_system(Machine& m) {
    std::string problem;
    const std::vector<Expected> expected = expectations(problem);
    if (!m.check(problem.empty(), "%s", problem.c_str())) return;
    BootSpec spec;
    spec.modules = {module(JANUS_USER_ELF_DIR "/init.elf", "init.elf"),
                    module(JANUS_SYSTEM_DIR "/system.config", "init.config"),
                    module(JANUS_USER_ELF_DIR "/uart.elf", "uart.elf"),
                    module(JANUS_USER_ELF_DIR "/timer.elf", "timer.elf"),
                    module(JANUS_USER_ELF_DIR "/hello.elf", "hello.elf")};
    for (const BootModule& b : spec.modules)
        if (!m.check(!b.bytes.empty(), "boot module %s is missing or empty", b.cmdline.c_str())) return;
    const BootResult r = boot(m, spec);
    if (m.outcome().failed()) return;
    std::vector<std::string> kernel, uart;
    for (const Expected& e : expected) (e.uart ? uart : kernel).push_back(e.regex);
    const std::string console = m.console();
    const std::string on_kernel = missing_in_order(console, kernel);
    if (!m.check(on_kernel.empty(), "the kernel console lacks '%s' (in order)", on_kernel.c_str())) return;
    const std::string on_uart = missing_in_order(r.com1, uart);
    if (!m.check(on_uart.empty(), "COM1 (the 16550's output) lacks '%s' (in order); it got: %s",
                 on_uart.c_str(), r.com1.c_str()))
        return;
    for (const std::string& p : uart)
        if (!m.check(missing_in_order(console, {p}) == p,
                     "'%s' reached the kernel console, not only the driver", p.c_str()))
            return;
    m.check(r.status == arch::ExitStatus::success, "the system run did not end with init's success");
}

Scenario system_scenario(unsigned cpus) {
    Scenario sc;
    sc.name = "usermode.system_cpus" + std::to_string(cpus);
    sc.description = "init, the uart driver, the timer service and a client on " + std::to_string(cpus) +
                     " CPU(s), their output against user/system/system.expect";
    sc.config.cpus = cpus;
    sc.config.memory_bytes = boot_memory;
    sc.config.step_budget = 2'000'000'000;
    sc.config.time_budget = 600'000'000'000;
    sc.body = run_system;
    sc.plan = {{*StrategySpec::parse("random"), 1}};
    sc.seed_only_lines = true;
    return sc;
}

bool register_all() {
    return register_scenario(system_scenario(1)) && register_scenario(system_scenario(2));
}

[[maybe_unused]] const bool registered = register_all();

} // namespace
} // namespace hostsim::usermode
