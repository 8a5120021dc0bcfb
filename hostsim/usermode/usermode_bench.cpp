// bench_usermode (./janus bench usermode): how fast ring-3 code runs under hostsim, and the whole ring-3
// suite on hostsim next to the same ELF on QEMU. Figures, not tests; one run each on a shared machine, so
// compare ratios from one run rather than absolute times across runs.
//
//   1. user instructions per second in one engine: a register-only loop, and a loop with a store per
//      iteration (Unicorn 2.0.1 sends every store through its slow path: the gap is that cost);
//   2. the suite booted on hostsim on 1 and 4 CPUs: host seconds, user instructions, kernel entries;
//   3. the suite on QEMU (TCG, -kernel with the same roottask.elf), host seconds from start to exit.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "arch/cpu.hpp"
#include "arch/timer.hpp"
#include "arch/user.hpp"
#include "hostsim/explorer.hpp"
#include "hostsim/usermode/suite_scenarios.hpp"
#include "hostsim/usermode/unicorn_user_mode.hpp"

namespace {

using namespace hostsim;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

/// A loop at 0x400000 run for `instructions` (the budget stands for the timer: an interrupt ends it).
void engine_rate(const char* label, std::initializer_list<std::uint8_t> loop, std::uint64_t instructions) {
    Config c;
    c.memory_bytes = 4u << 20;
    c.step_budget = ~std::uint64_t{0};
    Machine m(c);
    usermode::UnicornUserMode::Config uc;
    uc.slice = 100'000;
    usermode::UnicornUserMode user(m, uc);
    // Tables at 0x100000 (PML4, PDPT, PD, PT) mapping code at 0x400000 and a stack page at 0x401000.
    auto word = [&m](std::uint64_t pa) -> std::uint64_t& {
        return *reinterpret_cast<std::uint64_t*>(m.ram() + pa);
    };
    constexpr std::uint64_t P = 1, RW = 2, US = 4;
    word(0x100000) = 0x101000 | P | RW | US;
    word(0x101000) = 0x102000 | P | RW | US;
    word(0x102000 + 2 * 8) = 0x103000 | P | RW | US;
    word(0x103000) = 0x200000 | P | US;
    word(0x103000 + 8) = 0x201000 | P | RW | US | (std::uint64_t{1} << 63);
    std::size_t i = 0;
    for (std::uint8_t b : loop) m.ram()[0x200000 + i++] = static_cast<std::byte>(b);
    arch::UserFrame f{};
    f.rip = 0x400000;
    f.rsp = 0x402000;
    m.set_interrupt_handler([](unsigned) {});
    const auto started = Clock::now();
    m.start(0, [&] {
        arch::irq_disable();
        arch::timer_arm(arch::time_now() + instructions * uc.ns_per_instruction, 0xef);
        arch::run_user(f, {0x100000, 1});
    });
    m.run();
    const double s = since(started);
    const auto st = user.stats();
    std::printf("usermode engine, %-34s %12llu instructions in %.3f s: %6.1f million/s\n", label,
                static_cast<unsigned long long>(st.instructions), s,
                static_cast<double>(st.instructions) / s / 1e6);
}

double suite_on_hostsim(unsigned cpus) {
    const Scenario* s = find_scenario("usermode.suite_cpus" + std::to_string(cpus));
    ExploreOptions o;
    o.strategy = *StrategySpec::parse("random");
    o.runs = 1;
    o.recheck = false;
    ExploreReport r = explore(*s, o);
    const usermode::SuiteReport& rep = usermode::last_suite_report();
    std::printf(
        "usermode suite on hostsim, %u CPU%s: %s, %zu passed, %zu failed in %.2f s; %llu user instructions "
        "(%.1f million/s of the whole run), %llu kernel entries from user mode, %.3f s of virtual time\n",
        cpus, cpus > 1 ? "s" : " ", r.failed() ? "FAILED" : "ok", rep.passed, rep.failed, r.seconds,
        static_cast<unsigned long long>(rep.stats.instructions),
        static_cast<double>(rep.stats.instructions) / r.seconds / 1e6,
        static_cast<unsigned long long>(rep.stats.entries), static_cast<double>(rep.virtual_ns) / 1e9);
    return r.failed() ? -1 : r.seconds;
}

double suite_on_qemu() {
    const std::string command = std::string("python3 ") + JANUS_SOURCE_DIR +
                                "/hwtest/qemu_boot.py check --boot pvh --image " JANUS_METAL_BUILD_DIR
                                "/janus.elf --module " +
                                usermode::roottask_path() + " --expect-suite " +
                                std::to_string(usermode::min_suite_tests) + " --timeout 120 >/dev/null 2>&1";
    const auto started = Clock::now();
    const int status = std::system(command.c_str());
    const double s = since(started);
    if (status != 0) {
        std::printf("usermode suite on QEMU: failed or not built (%s/janus.elf; ./janus build x86_64)\n",
                    JANUS_METAL_BUILD_DIR);
        return -1;
    }
    std::printf(
        "usermode suite on QEMU (TCG, -kernel, 1 CPU): ok in %.2f s (QEMU's start and exit included)\n", s);
    return s;
}

} // namespace

int main() {
    // jmp: add rax, 1; dec rcx; jmp back (3 instructions an iteration, no memory).
    engine_rate("register loop (add, dec, jmp):", {0x48, 0x83, 0xc0, 0x01, 0x48, 0xff, 0xc9, 0xeb, 0xf7},
                30'000'000);
    // mov [rsp-8], rax; add rax, 1; jmp back (a store every 3 instructions).
    engine_rate("store loop (mov [rsp-8], add, jmp):",
                {0x48, 0x89, 0x44, 0x24, 0xf8, 0x48, 0x83, 0xc0, 0x01, 0xeb, 0xf5}, 3'000'000);
    const double one = suite_on_hostsim(1);
    suite_on_hostsim(4);
    const double qemu = suite_on_qemu();
    if (one > 0 && qemu > 0)
        std::printf("usermode suite: hostsim (1 CPU) takes %.2fx the time of QEMU in this run\n", one / qemu);
    return 0;
}
