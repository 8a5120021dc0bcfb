#include "hostsim/crash_line.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "hostsim/sanitizers.hpp"

#if HOSTSIM_ASAN || HOSTSIM_TSAN || (defined(__has_feature) && __has_feature(undefined_behavior_sanitizer))
#define HOSTSIM_SANITIZED 1
#include <sanitizer/common_interface_defs.h>
#else
#define HOSTSIM_SANITIZED 0
#endif

namespace hostsim {

namespace {

// The line of the execution in progress, kept so that printing it needs no heap: print_line runs inside
// TSan's report callback (with the report lock held: an allocation there that TSan reports again deadlocks
// the process) and in death callbacks and signal handlers, where the heap may be broken.
ReplayLine current;
std::string strategy_name; // current.strategy.name(), remade only when the strategy changes
bool active = false;

bool same(const StrategySpec& a, const StrategySpec& b) {
    return a.kind == b.kind && a.depth == b.depth && a.steps == b.steps;
}

void print_line(const char* what) {
    if (!active) return;
    // ReplayLine::format() without a schedule, in one fprintf.
    std::fprintf(stderr, "hostsim: %s during ./janus sim replay %s,%s,seed=%llu,%s,budget=%llu\n", what,
                 current.scenario.c_str(), strategy_name.c_str(),
                 static_cast<unsigned long long>(current.seed), current.tso ? "tso" : "sc",
                 static_cast<unsigned long long>(current.step_budget));
    std::fflush(stderr);
}

#if !HOSTSIM_SANITIZED
void on_signal(int sig) {
    print_line(sig == SIGABRT ? "abort" : "crash signal");
    std::signal(sig, SIG_DFL);
    raise(sig);
}
#endif

void install() {
    static bool installed = false;
    if (installed) return;
    installed = true;
#if HOSTSIM_SANITIZED
    __sanitizer_set_death_callback([] { print_line("sanitizer error"); });
#else
    // Signals run on their own stack: a simulated CPU that overflows its fiber stack still gets its line out.
    static char alt[64 * 1024];
    stack_t ss{};
    ss.ss_sp = alt;
    ss.ss_size = sizeof alt;
    sigaltstack(&ss, nullptr);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) sigaction(sig, &sa, nullptr);
#endif
}

} // namespace

void set_crash_line(const ReplayLine& line) {
    install();
    current.scenario.assign(line.scenario);
    if (strategy_name.empty() || !same(current.strategy, line.strategy)) strategy_name = line.strategy.name();
    current.strategy = line.strategy;
    current.seed = line.seed;
    current.tso = line.tso;
    current.step_budget = line.step_budget;
    current.schedule.reset();
    active = true;
}

void clear_crash_line() {
    active = false;
}

} // namespace hostsim

#if HOSTSIM_TSAN
// Called by the TSan runtime after it printed a report (it keeps running unless halt_on_error is set).
extern "C" void __tsan_on_report(const void*) {
    hostsim::print_line("ThreadSanitizer report");
}
#endif
