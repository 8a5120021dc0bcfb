// TestKernel: a fresh kernel with a root domain, for tests that drive the real dispatcher (host only).
//
// Every syscall goes through kernel::syscall() exactly as from ring 3. After each one the observer checks
// that the status is one the spec lists for that syscall, runs the invariant checker, and records the
// (syscall, status) pair in a process-wide table (the error-coverage test reads it). Destruction tears the
// kernel down and checks that every page came back.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kernel/abi/abi.hpp"
#include "kernel/kernel.hpp"
#include "kernel/kmem/testing/host_pages.hpp"
#include "kernel/lifecycle/root.hpp"
#include "kernel/obj/observer.hpp"
#include "kernel/syscall/regs.hpp"

namespace kernel::testing {

namespace spec = janus::abi;

struct Outcome {
    Error status;
    std::uint64_t r[spec::max_results];
    SyscallRegs regs; ///< all registers after the call
};

struct Options {
    std::uint64_t quota = 1 << 20;
    unsigned cap_order = 8;
    unsigned cpus = 4;
    std::uint64_t root_utcb = 0x1000;
};

/// (syscall number, status) pairs returned in this process, by any TestKernel.
std::set<std::pair<std::uint64_t, Error>>& reached_statuses();

/// Observable kernel state: equal snapshots mean an operation changed nothing a later syscall could see.
std::string snapshot(const Kernel& kernel);

class TestKernel final : private SyscallObserver {
public:
    explicit TestKernel(const Options& options = {});
    ~TestKernel();
    TestKernel(const TestKernel&) = delete;
    TestKernel& operator=(const TestKernel&) = delete;

    Kernel& kernel() { return kernel_; }
    HostPages& pages() { return pages_; }
    Pd& root() { return *root_.pd; }
    Thread& root_thread() { return *root_.thread; }

    /// Syscall `number` from `thread` with arguments a0.. in order (the rest 0). Nothing on the heap: a
    /// simulated CPU that fails inside the call is abandoned with this frame (hostsim/machine.hpp).
    Outcome call(Thread& thread, std::uint64_t number, std::span<const std::uint64_t> args);
    Outcome call(Thread& thread, std::uint64_t number, const std::vector<std::uint64_t>& args) {
        return call(thread, number, std::span<const std::uint64_t>(args));
    }
    Outcome call(Thread& thread, std::uint64_t number, std::initializer_list<std::uint64_t> args) {
        return call(thread, number, std::span<const std::uint64_t>(args.begin(), args.size()));
    }
    Outcome call(Thread& thread, spec::Syscall s, std::initializer_list<std::uint64_t> args) {
        return call(thread, static_cast<std::uint64_t>(s), args);
    }
    /// From the root thread.
    Outcome call(spec::Syscall s, std::initializer_list<std::uint64_t> args) {
        return call(root_thread(), s, args);
    }
    /// From the root thread, expecting success (a gtest failure otherwise).
    Outcome ok(spec::Syscall s, std::initializer_list<std::uint64_t> args);
    Outcome ok(Thread& thread, spec::Syscall s, std::initializer_list<std::uint64_t> args);

    /// The object behind selector `sel` of `pd`'s space (nullptr if empty).
    Object* object_at(Pd& pd, std::uint64_t sel);
    template <typename T>
    T& at(Pd& pd, std::uint64_t sel) {
        return *static_cast<T*>(object_at(pd, sel));
    }

    /// Makes a child domain at `sel` of the root with `quota` and `cap_order`, and a thread in it (capability
    /// at `sel + 1`, UTCB at `utcb`), both paid by the root. Returns the thread.
    Thread& child_with_thread(std::uint64_t sel, std::uint64_t quota, unsigned cap_order = 6,
                              std::uint64_t utcb = 0x10000);

    /// Whether the observer's checks (status allowed, invariants) passed for every call so far.
    bool clean() const { return violations_.empty(); }
    const std::vector<std::string>& violations() const { return violations_; }
    /// Turn the per-call invariant check off (for tests that corrupt state on purpose).
    void set_checking(bool on) { checking_ = on; }

private:
    void after_syscall(Kernel& kernel, Thread& caller, const SyscallRegs& in, const SyscallRegs& out,
                       Error status) override;
    void after_wakeup(Kernel& kernel, Thread& thread, std::uint64_t number, Error status) override;
    void record(Kernel& kernel, std::uint64_t number, Error status, bool check);
    void check_invariants(const char* what, Kernel& kernel);

    HostPages pages_;
    Kernel kernel_;
    Root root_{};
    bool checking_ = true;
    std::vector<std::string> violations_;
};

} // namespace kernel::testing
