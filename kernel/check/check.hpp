// The invariant checker: walks all kernel state and describes the first broken invariant. Called by tests
// after every syscall and by the fuzzer after every input; read-only, no allocation, bounded work even on a
// corrupted state (every walk has a step limit).
//
// What it checks (details in check.cpp): every object is reachable through the payment tree and well formed;
// derivation trees are well formed (links, depths, no cycles, rights of a child within its parent's, badge
// rules, counts) and every capability names a live object and lies in a live capability space; quotas add up
// (a domain's used = its paid charges <= its limit; the limits of all domains = the boot quota); threads,
// irqs and weak references are consistent. Extensions (memory side, IPC) hook in through
// check_extensions() in extensions.cpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/kmem/object.hpp"
#include "kernel/lib/print.hpp"

namespace kernel {

class Kernel;

class Checker {
public:
    explicit Checker(const Kernel& k) : kernel(k), sink_(text_, sizeof text_) {}
    Checker(const Checker&) = delete;
    Checker& operator=(const Checker&) = delete;

    const Kernel& kernel;

    /// Records `what` as the violation unless `ok` (only the first one is kept); returns `ok`.
    template <typename... Args>
    bool expect(bool ok, const Args&... what) {
        if (!ok && !failed_) {
            failed_ = true;
            print_to(sink_, what...);
        }
        return ok;
    }
    bool failed() const { return failed_; }
    const char* description() const { return failed_ ? text_ : ""; }

    /// Upper bound on live objects (and so on every walk's length), from the pages Kmem holds.
    std::size_t object_bound() const;
    /// Whether `o` is a live object (reachable from the kernel's boot objects through the payment tree).
    bool is_live(const Object* o) const;

private:
    bool failed_ = false;
    char text_[320] = {};
    BufferSink sink_;
};

/// Check everything; the result carries the description of the first violation.
struct CheckResult {
    bool ok;
    char text[320];
};
CheckResult check_kernel(const Kernel& kernel);

/// First and next object of the payment tree walk (boot objects, each domain followed by what it paid for).
const Object* first_object(const Kernel& kernel);
const Object* next_object(const Object* o);

/// Extension point: further checks of state other parts of the kernel own (memory side: page tables against
/// the mapping database; IPC: queues and blocked threads). Runs after the object checks passed.
void check_extensions(Checker& checker);

} // namespace kernel
