// The root task: the first ring-3 program, started by the kernel from a boot module.
//
// It runs the ring-3 test suite (the JANUS_TEST cases linked into it), printing one line per test and the
// summary "N passed, M failed" on the kernel's debug console (debug_write) and into its debug log, and exits
// with the number of failed tests as its status: the kernel ends the machine's run with success only for 0
// (docs/user.md, "Starting the root task"). Start words: rdi = base of its pool of free memory, rsi = the
// pool's size in bytes (janus::abi::root_mem, docs/abi.md).
#include "kernel/abi/abi.hpp"
#include "user/lib/console.hpp"
#include "user/lib/debug_log.hpp"
#include "user/lib/format.hpp"
#include "user/lib/start.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/env.hpp"

static_assert(janus::user::exit_marker == janus::abi::exit_marker,
              "the user runtime and the kernel must agree on the exit convention");

namespace {

janus::user::ConsoleSink console;
janus::user::TeeSink console_and_log(console, janus::user::debug_log_sink());

} // namespace

int main(const janus::user::StartInfo& start) {
    using namespace janus::user;
    roottask::set_start(start);
    set_debug_out(console_and_log);
    debug("Janus root task: ring-3 test suite (start words {x} {x} {x})\n", start.word0, start.word1,
          start.word2);
    test::Summary s = test::run_all(debug_out());
    console.flush();
    return static_cast<int>(s.failed);
}
