// The system images as schedule-explorer scenarios: init (user/init) with a configuration and its components
// (user/components), the very ELF files janus-<image>.iso boots, as boot modules of a hostsim machine with a
// 16550 at COM1 (hostsim/uart16550.hpp). The run must end with init's verdict and print
// user/system/<image>.expect in order on each console: init's lines on the kernel console, the clients' on
// COM1 through the ring-3 driver's port I/O — and none of the clients' on the kernel console, so the text
// really took the driver's path. The same files are what system.hw.* check QEMU's serial log against.
//
//   usermode.system_cpus1 / _cpus2   system.config: uart, timer, hello; init's success
//   usermode.faults_cpus1 / _cpus2   faults.config: a client dies in the middle of its console calls, the
//                                    server serves hello on; init reports the fault and fails the run
//   usermode.badconfig_cpus1 / _2    badconfig.config: init names the wrong line and starts nothing
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

/// One system image: its configuration and expectations (user/system/<name>.config, .expect), its components'
/// programs in boot order after init, and how init ends the run.
struct Image {
    std::string name;
    std::vector<std::string> programs;
    arch::ExitStatus status;
};

/// user/system/<image>.expect, or an empty list with `problem` set.
std::vector<Expected> expectations(const std::string& image, std::string& problem) {
    const std::string path = std::string(JANUS_SYSTEM_DIR "/") + image + ".expect";
    std::ifstream in(path);
    if (!in) problem = "cannot read " + path;
    std::vector<Expected> out;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.find(' ');
        const std::string where = line.substr(0, space);
        if (space == std::string::npos || (where != "kernel" && where != "uart")) {
            problem = image + ".expect: not '<kernel|uart> <regex>': " + line;
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

/// What the last run's output lacked (empty: nothing). A run that ends with the kernel's failure status (the
/// faults image) has its verdict already, so its checks cannot fail it: the tests read this instead.
std::string last_problem;

/// The first way the run's two consoles differ from `expected`, or empty.
std::string compare(const std::vector<Expected>& expected, const std::string& console,
                    const std::string& com1) {
    std::vector<std::string> kernel, uart;
    for (const Expected& e : expected) (e.uart ? uart : kernel).push_back(e.regex);
    if (std::string p = missing_in_order(console, kernel); !p.empty())
        return "the kernel console lacks '" + p + "' (in order)";
    if (std::string p = missing_in_order(com1, uart); !p.empty())
        return "COM1 (the 16550's output) lacks '" + p + "' (in order); it got: " + com1;
    for (const std::string& p : uart)
        if (missing_in_order(console, {p}) != p)
            return "'" + p + "' reached the kernel console, not only the driver";
    return {};
}

void run_system(Machine& m, const Image& image) {
    std::string problem;
    last_problem = "the run did not get to its checks";
    const std::vector<Expected> expected = expectations(image.name, problem);
    if (!m.check(problem.empty(), "%s", problem.c_str())) return;
    BootSpec spec;
    spec.modules = {module(JANUS_USER_ELF_DIR "/init.elf", "init.elf"),
                    module(std::string(JANUS_SYSTEM_DIR "/") + image.name + ".config", "init.config")};
    for (const std::string& p : image.programs)
        spec.modules.push_back(module(std::string(JANUS_USER_ELF_DIR "/") + p + ".elf", p + ".elf"));
    for (const BootModule& b : spec.modules)
        if (!m.check(!b.bytes.empty(), "boot module %s is missing or empty", b.cmdline.c_str())) return;
    const BootResult r = boot(m, spec);
    const bool stopped_as_expected = m.outcome().verdict == Verdict::kernel_stopped &&
                                     image.status == arch::ExitStatus::failure && r.status == image.status;
    if (m.outcome().failed() && !stopped_as_expected) return;
    last_problem = compare(expected, m.console(), r.com1);
    if (r.status != image.status && last_problem.empty())
        last_problem = "init ended the run with another verdict";
    if (!stopped_as_expected) m.check(last_problem.empty(), "%s", last_problem.c_str());
}

Scenario system_scenario(const Image& image, unsigned cpus) {
    Scenario sc;
    sc.name = "usermode." + image.name + "_cpus" + std::to_string(cpus);
    sc.description = "init and the components of user/system/" + image.name + ".config on " +
                     std::to_string(cpus) + " CPU(s), their output against " + image.name + ".expect";
    sc.config.cpus = cpus;
    sc.config.memory_bytes = boot_memory;
    sc.config.step_budget = 2'000'000'000;
    sc.config.time_budget = 600'000'000'000;
    sc.body = [image](Machine& m) { run_system(m, image); };
    if (image.status == arch::ExitStatus::failure) sc.expect = Verdict::kernel_stopped;
    sc.plan = {{*StrategySpec::parse("random"), 1}};
    sc.seed_only_lines = true;
    return sc;
}

} // namespace

const std::string& last_system_problem() {
    return last_problem;
}

namespace {

bool register_all() {
    const Image images[] = {{"system", {"uart", "timer", "hello"}, arch::ExitStatus::success},
                            {"faults", {"uart", "timer", "crasher", "hello"}, arch::ExitStatus::failure},
                            {"badconfig", {"uart", "hello"}, arch::ExitStatus::failure}};
    bool ok = true;
    for (const Image& image : images)
        for (unsigned cpus : {1u, 2u}) ok = register_scenario(system_scenario(image, cpus)) && ok;
    return ok;
}

[[maybe_unused]] const bool registered = register_all();

} // namespace
} // namespace hostsim::usermode
