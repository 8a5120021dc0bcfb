#include "user/lib/test.hpp"

// Bounds of the janus_tests section. The linker defines __start_/__stop_ symbols for every section whose name
// is a C identifier (user.ld also defines them explicitly for the ring-3 programs).
extern "C" janus::user::test::Case __start_janus_tests[];
extern "C" janus::user::test::Case __stop_janus_tests[];

namespace janus::user::test {

namespace {

bool same(const char* a, const char* b) {
    while (*a != '\0' && *a == *b) ++a, ++b;
    return *a == *b;
}

/// Failure details of the running test (static: the ring-3 stack is small).
char detail_buffer[2048];

} // namespace

const Case* cases_begin() {
    return __start_janus_tests;
}
const Case* cases_end() {
    return __stop_janus_tests;
}

Summary run_all(Sink& out, const char* only) {
    Summary s;
    for (const Case* c = cases_begin(); c != cases_end(); ++c) {
        if (only != nullptr && !same(only, c->name)) continue;
        BufferSink details(detail_buffer, sizeof detail_buffer);
        Context context(details);
        c->body(context);
        if (context.failures() == 0) {
            ++s.passed;
            print(out, "[pass] {}\n", c->name);
        } else {
            ++s.failed;
            print(out, "[FAIL] {} ({}:{})\n", c->name, c->file, c->line);
        }
        out.write(details.data(), details.size());
        if (details.dropped() != 0) print(out, "    ({} more bytes of details dropped)\n", details.dropped());
    }
    print(out, "{} passed, {} failed\n", s.passed, s.failed);
    return s;
}

} // namespace janus::user::test
