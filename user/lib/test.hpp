// A minimal test framework for the ring-3 suite.
//
//   JANUS_TEST(cap_info_names_own_pd) {
//       auto r = sys::cap_info(Sel{1});
//       CHECK_EQ(r.error, abi::Error::ok);
//       CHECK(r.rights & abi::rights::control);
//   }
//
// JANUS_TEST registers the test at link time: its descriptor goes into the section janus_tests, whose bounds
// the linker provides, so there is no constructor and no list to maintain. Inside the body the test context
// is `t`. A failed check reports file, line and values and the test continues; a test passes when none of its
// checks failed. run_all() prints one line per test ("[pass] name" / "[FAIL] name (file:line)", then the
// failure details indented) and finally the summary "N passed, N failed", the line boot tests and hostsim
// look for.
#pragma once

#include <cstddef>

#include "user/lib/format.hpp"
#include "user/lib/sink.hpp"

namespace janus::user::test {

class Context;

struct Case {
    const char* name;
    void (*body)(Context&);
    const char* file;
    unsigned line;
};

class Context {
public:
    /// Failure details go to `details`; the runner prints them under the test's result line.
    explicit Context(Sink& details) : out_(details) {}

    bool check(bool ok, const char* expression, const char* file, unsigned line) {
        if (!ok) fail_header(file, line), print(out_, "CHECK({}) failed\n", expression);
        return ok;
    }

    template <typename A, typename B>
    bool check_eq(const A& a, const B& b, const char* ea, const char* eb, const char* file, unsigned line) {
        bool ok = a == b;
        if (!ok) fail_header(file, line), print(out_, "CHECK_EQ({}, {}) failed: {} != {}\n", ea, eb, a, b);
        return ok;
    }

    template <typename A, typename B>
    bool check_ne(const A& a, const B& b, const char* ea, const char* eb, const char* file, unsigned line) {
        bool ok = !(a == b);
        if (!ok) fail_header(file, line), print(out_, "CHECK_NE({}, {}) failed: both {}\n", ea, eb, a);
        return ok;
    }

    /// A note attached to the test's output, e.g. the values behind a failed check.
    template <typename... A>
    void note(const char* format, const A&... args) {
        print(out_, "    ");
        print(out_, format, args...);
        print(out_, "\n");
    }

    unsigned failures() const { return failures_; }

private:
    void fail_header(const char* file, unsigned line) {
        ++failures_;
        print(out_, "    {}:{}: ", file, line);
    }

    Sink& out_;
    unsigned failures_ = 0;
};

struct Summary {
    unsigned passed = 0;
    unsigned failed = 0;
};

/// Every registered test, in link order.
const Case* cases_begin();
const Case* cases_end();

/// Run every registered test whose name equals `only` (all of them if null), reporting on `out`.
Summary run_all(Sink& out, const char* only = nullptr);

} // namespace janus::user::test

#define JANUS_TEST(name)                                                                                     \
    static void janus_test_body_##name(::janus::user::test::Context& t);                                     \
    [[gnu::used, gnu::section("janus_tests")]] static ::janus::user::test::Case janus_test_case_##name = {   \
        #name, janus_test_body_##name, __FILE__, __LINE__};                                                  \
    static void janus_test_body_##name([[maybe_unused]] ::janus::user::test::Context& t)

#define CHECK(cond) t.check(static_cast<bool>(cond), #cond, __FILE__, __LINE__)
#define CHECK_EQ(a, b) t.check_eq((a), (b), #a, #b, __FILE__, __LINE__)
#define CHECK_NE(a, b) t.check_ne((a), (b), #a, #b, __FILE__, __LINE__)
