// Results of an on-target self-test, one line per check, in a form hwtest/qemu_boot.py reads:
//   selftest <suite>: PASS <check>
//   selftest <suite>: FAIL <check>: <what was seen>
//   selftest <suite>: SKIP <check> (<why>)
//   selftest <suite>: <n> passed, <m> failed
// finish() stops the machine: success (QEMU exit 33) only if at least one check ran and none failed.
#pragma once

#include "kernel/lib/print.hpp"
#include "kernel/lib/string_view.hpp"

namespace arch::x86::selftest {

class Report {
public:
    explicit Report(kernel::StringView suite) : suite_(suite) {}

    /// Record one check; `detail` is printed only when it failed.
    template <typename... Detail>
    bool check(bool ok, kernel::StringView name, const Detail&... detail) {
        if (ok) {
            ++passed_;
            kernel::println("selftest ", suite_, ": PASS ", name);
        } else {
            ++failed_;
            kernel::println("selftest ", suite_, ": FAIL ", name, ": ", detail...);
        }
        return ok;
    }

    void skip(kernel::StringView name, kernel::StringView why) {
        kernel::println("selftest ", suite_, ": SKIP ", name, " (", why, ")");
    }

    [[noreturn]] void finish();

private:
    kernel::StringView suite_;
    unsigned passed_ = 0, failed_ = 0;
};

} // namespace arch::x86::selftest
