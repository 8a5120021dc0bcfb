// init: the root task of a `system` boot (docs/init.md). It finds its configuration among the boot modules,
// starts every component the configuration names in its own protection domain, and supervises them until
// the run ends (run_policy.hpp); its exit status ends the machine's run.
#include "user/init/config.hpp"
#include "user/init/module_table.hpp"
#include "user/init/system.hpp"
#include "user/lib/console.hpp"
#include "user/lib/root_task.hpp"
#include "user/lib/start.hpp"
#include "user/lib/syscall.hpp"

namespace janus::init {

namespace {

using namespace janus::user;

ConsoleSink console_sink;
System the_system; // ~20 KiB: static storage, never on the stack

/// Exit status when nothing could be started (no or a bad configuration); see docs/init.md.
constexpr int status_bad_configuration = 2;

int run(const StartInfo& start) {
    System& system = the_system;
    system.pool = PagePool(start.word0, start.word1);
    system.cpu_count = start.word2 ? start.word2 : 1;
    system.module_count = read_module_table(system.modules, max_modules);
    say("{} boot modules, {} CPUs, {} KiB of pool\n", system.module_count, system.cpu_count,
        system.pool.pages_left() * 4);

    const std::size_t m = find_config_module(system.modules, system.module_count);
    if (m == no_module) {
        say("no configuration: no boot module named init.config or *.config; nothing started\n");
        return status_bad_configuration;
    }
    const BootModule& module = system.modules[m];
    ConfigError error;
    if (!parse_config({reinterpret_cast<const char*>(module.bytes), module.size}, system.config, error)) {
        if (error.line != 0)
            say("config line {}: {}; nothing started\n", error.line, error.message);
        else
            say("config: {}; nothing started\n", error.message);
        return status_bad_configuration;
    }
    char name[module_name_bytes + 1] = {};
    const std::string_view word = first_word(module.name);
    for (std::size_t i = 0; i < word.size(); ++i) name[i] = word[i];
    say("configuration {}: {} components, {} endpoints\n", name, system.config.component_count,
        system.config.endpoint_count);

    abi::Error e = sys::endpoint_create(Sel{sel::fault_ep}).error;
    for (std::size_t i = 0; e == abi::Error::ok && i < system.config.endpoint_count; ++i)
        e = sys::endpoint_create(sel::endpoint(i)).error;
    if (e != abi::Error::ok) {
        say("creating endpoints failed: {}; nothing started\n", e);
        return 1;
    }
    for (std::size_t i = 0; i < system.config.component_count; ++i) start_component(system, i);
    return supervise(system);
}

} // namespace

Sink& console() {
    return console_sink;
}

} // namespace janus::init

int main(const janus::user::StartInfo& start) {
    const int status = janus::init::run(start);
    janus::init::console_sink.flush();
    return status;
}
