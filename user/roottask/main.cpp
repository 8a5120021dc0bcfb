// The root task: the first ring-3 program, started by the kernel from a boot module.
//
// For now it only runs the ring-3 test suite (the JANUS_TEST cases linked into it) and exits with the number
// of failed tests as its status. Its output goes to the debug log (user/lib/debug_log.hpp) until the IPC work
// gives it a console.
#include "user/lib/format.hpp"
#include "user/lib/start.hpp"
#include "user/lib/test.hpp"

int main(const janus::user::StartInfo& start) {
    using namespace janus::user;
    debug("Janus root task: ring-3 test suite (start words {x} {x} {x})\n", start.word0, start.word1,
          start.word2);
    test::Summary s = test::run_all(debug_out());
    return static_cast<int>(s.failed);
}
