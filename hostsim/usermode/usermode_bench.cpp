// bench_usermode (./janus bench usermode): how fast ring-3 code runs under hostsim, and the whole ring-3
// suite on hostsim next to the same ELF on QEMU. Figures, not tests; one run each on a shared machine, so
// compare ratios from one run rather than absolute times across runs.
//
//   1. user instructions per second in one engine: a register-only loop, and a loop with a store per
//      iteration (Unicorn 2.0.1 sends every store through its slow path: the gap is that cost), each the best
//      of five runs, per second of CPU time; and beside each, what Unicorn alone allows for the same loop:
//      with no hook at all, with a hook per instruction (what hostsim's exact budget costs) and with a hook
//      per translation block;
//   2. the suite booted on hostsim on 1 and 4 CPUs: host seconds, user instructions, kernel entries;
//   3. the suite on QEMU (TCG, -kernel with the same roottask.elf), host seconds from start to exit.
//
// `bench_usermode engine` runs part 1 alone.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <unicorn/unicorn.h>
#include <vector>

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

/// CPU time of this thread (the machine's CPUs are fibers on it): part 1's rates are per second of CPU, so
/// that other work on a shared machine shows in them less than in wall time.
double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

/// A loop at 0x400000 run for `instructions` (the budget stands for the timer: an interrupt ends it); returns
/// user instructions per second.
double engine_rate(const std::vector<std::uint8_t>& loop, std::uint64_t instructions) {
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
    const double started = cpu_seconds();
    m.start(0, [&] {
        arch::irq_disable();
        arch::timer_arm(arch::time_now() + instructions * uc.ns_per_instruction, 0xef);
        arch::run_user(f, {0x100000, 1});
    });
    m.run();
    return static_cast<double>(user.stats().instructions) / (cpu_seconds() - started);
}

enum class Hook : std::uint8_t { none, instruction, block };

/// The loop (3 instructions a pass, one translation block, rax + 1 a pass) in a bare Unicorn engine: one code
/// and one stack page, no hostsim; instructions per second with `hook` counting them, run for about
/// `instructions` (with no hook: for `instructions` / 1e9 s and counted from rax afterwards).
double unicorn_rate(const std::vector<std::uint8_t>& loop, Hook hook, std::uint64_t instructions) {
    alignas(4096) static unsigned char code[4096], stack[4096];
    std::copy(loop.begin(), loop.end(), code);
    struct Count {
        std::uint64_t n, limit;
    } count{0, instructions};
    uc_engine* uc = nullptr;
    if (uc_open(UC_ARCH_X86, UC_MODE_64, &uc) != UC_ERR_OK) return 0;
    uc_mem_map_ptr(uc, 0x400000, sizeof code, UC_PROT_READ | UC_PROT_EXEC, code);
    uc_mem_map_ptr(uc, 0x401000, sizeof stack, UC_PROT_READ | UC_PROT_WRITE, stack);
    uc_hook h;
    if (hook == Hook::instruction)
        uc_hook_add(uc, &h, UC_HOOK_CODE,
                    reinterpret_cast<void*>(+[](uc_engine* u, std::uint64_t, std::uint32_t, void* c) {
                        auto& k = *static_cast<Count*>(c);
                        if (k.n == k.limit)
                            uc_emu_stop(u);
                        else
                            ++k.n;
                    }),
                    &count, 1, 0);
    if (hook == Hook::block)
        uc_hook_add(uc, &h, UC_HOOK_BLOCK,
                    reinterpret_cast<void*>(+[](uc_engine* u, std::uint64_t, std::uint32_t, void* c) {
                        auto& k = *static_cast<Count*>(c);
                        if (k.n + 3 > k.limit)
                            uc_emu_stop(u);
                        else
                            k.n += 3;
                    }),
                    &count, 1, 0);
    std::uint64_t rsp = 0x402000, never = 0x8000'0000'0000'0000;
    uc_reg_write(uc, UC_X86_REG_RSP, &rsp);
    uc_ctl_exits_enable(uc);
    uc_ctl_set_exits(uc, &never, 1);
    const double started = cpu_seconds();
    uc_emu_start(uc, 0x400000, never, hook == Hook::none ? instructions / 1000 : 0, 0);
    const double s = cpu_seconds() - started;
    std::uint64_t rax = 0;
    uc_reg_read(uc, UC_X86_REG_RAX, &rax);
    uc_close(uc);
    return static_cast<double>(hook == Hook::none ? rax * 3 : count.n) / s;
}

template <class F>
double best_of_five(F rate) {
    double best = 0;
    for (int i = 0; i < 5; ++i) best = std::max(best, rate());
    return best;
}

void loop_rates(const char* label, const std::vector<std::uint8_t>& loop, std::uint64_t instructions) {
    const double hostsim = best_of_five([&] { return engine_rate(loop, instructions); });
    const double bare = best_of_five([&] { return unicorn_rate(loop, Hook::none, instructions); });
    const double per_instruction =
        best_of_five([&] { return unicorn_rate(loop, Hook::instruction, instructions); });
    const double per_block = best_of_five([&] { return unicorn_rate(loop, Hook::block, instructions); });
    std::printf(
        "usermode engine, %-34s %7.1f million/s; Unicorn %d.%d.%d alone: %7.1f with no hook, %6.1f with a "
        "hook per instruction, %7.1f with a hook per block\n",
        label, hostsim / 1e6, UC_VERSION_MAJOR, UC_VERSION_MINOR, UC_VERSION_PATCH, bare / 1e6,
        per_instruction / 1e6, per_block / 1e6);
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

int main(int argc, char** argv) {
    // jmp: add rax, 1; dec rcx; jmp back (3 instructions an iteration, no memory).
    loop_rates("register loop (add, dec, jmp):", {0x48, 0x83, 0xc0, 0x01, 0x48, 0xff, 0xc9, 0xeb, 0xf7},
               30'000'000);
    // mov [rsp-8], rax; add rax, 1; jmp back (a store every 3 instructions).
    loop_rates("store loop (mov [rsp-8], add, jmp):",
               {0x48, 0x89, 0x44, 0x24, 0xf8, 0x48, 0x83, 0xc0, 0x01, 0xeb, 0xf5}, 3'000'000);
    if (argc > 1 && std::string(argv[1]) == "engine") return 0;
    const double one = suite_on_hostsim(1);
    suite_on_hostsim(4);
    const double qemu = suite_on_qemu();
    if (one > 0 && qemu > 0)
        std::printf("usermode suite: hostsim (1 CPU) takes %.2fx the time of QEMU in this run\n", one / qemu);
    return 0;
}
