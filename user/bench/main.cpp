// The bare-metal benchmark: a root task that measures kernel paths in instructions under
// `qemu-system-x86_64 -icount shift=0` and prints one line per figure (user/bench/README.md):
//
//   bench <key> <instructions per operation>
//
// `./janus bench metal` boots it (hwtest/bench_icount.py) and prints the figures next to published ones. The
// exit status is the number of failed measurements; the calibration must measure its two-instruction loop
// as exactly 2, or every other figure would mean nothing.
#include "user/bench/paths.hpp"
#include "user/lib/console.hpp"
#include "user/lib/format.hpp"
#include "user/lib/start.hpp"
#include "user/roottask/env.hpp"

namespace {

janus::user::ConsoleSink console;

} // namespace

int main(const janus::user::StartInfo& start) {
    using namespace janus::user;
    roottask::set_start(start);
    test::Context t(console);
    int failed = 0;
    auto report = [&failed](const char* key, bench::Word value) {
        if (value == 0) ++failed;
        print(console, "bench {} {}\n", key, value);
    };
    const bench::Word calibration = bench::calibration();
    report("calibration", calibration);
    if (calibration != 2) {
        print(console,
              "bench: the two-instruction loop measured {} per iteration: rdtsc does not count "
              "instructions here (boot with qemu -icount shift=0)\n",
              calibration);
        ++failed;
    }
    report("null_syscall", bench::null_syscall(t));
    report("yield", bench::yield(t));
    report("call_reply", bench::call_reply_round_trip(t));
    report("call_reply_utcb", bench::call_reply_round_trip_utcb(t));
    report("page_fault", bench::page_fault_round_trip(t));
    console.flush();
    return failed;
}
