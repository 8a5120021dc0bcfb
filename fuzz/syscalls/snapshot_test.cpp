// The sandbox's snapshots (snapshot.hpp): a kernel restored after any run is indistinguishable from a fresh
// boot. For pairs of programs (A, B): B on a freshly booted kernel, then A and B one after the other with a
// restore in between; B must see the same results, pass the same oracles and leave the same state behind,
// byte for byte (the Kernel object, every page the kernel holds with its AddressSanitizer shadow, the free
// stack, the user frames, the host thread's device lines and I/O ports). And each broken restore the sandbox
// can plant (a page not copied back, the scheduler's per-CPU entries not restored, the device-line mask kept)
// must be noticed by that comparison, so the comparison would notice a real one.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fuzz/syscalls/program.hpp"
#include "fuzz/syscalls/sandbox.hpp"
#include "fuzz/syscalls/smp.hpp"

namespace fuzzsys {
namespace {

using enum janus::abi::Syscall;

/// Something to run on a sandbox reset for `cpus` CPUs (0: the sandbox's default).
struct Program {
    unsigned cpus = 0;
    std::function<void(Sandbox&)> body;
};

std::vector<std::uint8_t> random_bytes(std::uint64_t& x, std::size_t n) {
    std::vector<std::uint8_t> out(n);
    for (auto& b : out) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b = static_cast<std::uint8_t>(x >> 24);
    }
    return out;
}

/// Hand-made programs that change state a random program reaches only now and then: a bound irq (an
/// unmasked device line), threads on other CPUs, ready and waiting with timeouts, port and mmio objects.
std::vector<Program> scenarios() {
    std::vector<Program> out;
    out.push_back({0, [](Sandbox& w) { // a bound irq unmasks its line; it fires
                       w.call(0, irq_create, {20, 3, 5});
                       w.call(0, notification_create, {21});
                       w.call(0, irq_bind, {20, 21, 3});
                       w.interrupt(5);
                       w.call(0, notify_wait, {21, 0});
                   }});
    out.push_back({0, [](Sandbox& w) { // threads on CPUs 1..3, started; one waits with a timeout, time passes
                       w.call(0, endpoint_create, {16});
                       w.call(0, thread_create, {30, 1, 0x7ffffffff000, 3, 1});
                       w.call(0, thread_create, {31, 1, 0x7fffffffe000, 200, 2});
                       w.call(0, thread_create, {32, 1, 0x7fffffffd000, 9, 3});
                       w.call(0, thread_start, {30, 0x400000, 0x7ff000});
                       w.call(0, thread_start, {31, 0x400000, 0x7ff000});
                       w.call(0, thread_start, {32, 0x400000, 0x7ff000});
                       w.call(2, ipc_recv, {16, 1000});
                       w.advance(500);
                   }});
    out.push_back({0, [](Sandbox& w) { // ports, device memory, a child domain with memory
                       w.call(0, io_create, {17, 4, 0x3f8, 8});
                       w.call(0, mmio_create, {18, 5, 0xb8000, 1, 0});
                       w.call(0, pd_create, {19, 65536, 5});
                       w.call(0, mem_map, {19, 0x2000 | 12 << 1, 0x10000, 0});
                       w.call(0, mmio_map, {18, 19, 0x20000, 0, 1, 1});
                   }});
    return out;
}

/// Random sequential programs of 8 steps, then the scenarios.
std::vector<Program> sequential_programs(std::size_t count) {
    std::vector<Program> out;
    std::uint64_t x = 0x9e3779b97f4a7c15;
    for (std::size_t i = 0; i < count; ++i) {
        std::vector<std::uint8_t> bytes = random_bytes(x, 8 * record_bytes);
        out.push_back({0, [bytes](Sandbox& w) { run_program(w, bytes.data(), bytes.size()); }});
    }
    for (Program& p : scenarios()) out.push_back(std::move(p));
    return out;
}

/// Random smp programs (2 to 4 CPUs, 8 steps with schedule bytes).
std::vector<Program> smp_programs(std::size_t count) {
    std::vector<Program> out;
    std::uint64_t x = 0x2545f4914f6cdd1d;
    for (std::size_t i = 0; i < count; ++i) {
        std::vector<std::uint8_t> bytes = random_bytes(x, smp_header_bytes + 8 * smp_record_bytes);
        out.push_back({smp_cpus(bytes.data(), bytes.size()),
                       [bytes](Sandbox& w) { run_smp_steps(w, bytes.data(), bytes.size()); }});
    }
    // Threads left ready on CPUs 1..3 of a 4-CPU kernel, then a kernel of 2 CPUs: the restore must reach the
    // scheduler entries of the CPUs the kernel that ran had, not only those of the one it restores.
    std::vector<Program> s = scenarios();
    out.push_back({4, s[1].body});
    out.push_back({2, s[0].body});
    out.push_back({3, s[1].body});
    out.push_back({2, s[2].body});
    return out;
}

/// What a run left: its steps with their outcomes, its failure, and the state.
struct Outcome {
    std::string trace, failure;
    std::vector<std::pair<Word, abi::Error>> wakeups;
    StateImage state;
};

Outcome run_body(Sandbox& w, const Program& p) {
    p.body(w);
    Outcome o{to_cpp(w.trace(), ""), w.failure(), w.wakeups(), w.image()};
    w.finish();
    if (o.failure.empty()) o.failure = w.failure();
    return o;
}

/// The first difference between B on a fresh boot and B after A and a restore, over the pairs (A, B) of
/// consecutive programs; "" if none. The states are compared right after the boot and the restore, and again
/// after B. `plant` breaks the restore before each B (B does not run then if the state already differs: it
/// might crash on a broken kernel).
std::string compare_with_fresh_boots(Sandbox& w, const std::vector<Program>& programs,
                                     Sandbox::Plant plant = Sandbox::Plant::none,
                                     std::size_t* pairs_differing = nullptr) {
    std::string first;
    std::size_t differing = 0;
    for (std::size_t i = 0; i < programs.size(); ++i) {
        const Program& a = programs[i];
        const Program& b = programs[(i + 1) % programs.size()];
        w.set_snapshots(false);
        w.reset(b.cpus);
        const StateImage booted = w.image();
        const Outcome fresh = run_body(w, b);
        w.set_snapshots(true);
        w.reset(a.cpus);
        run_body(w, a);
        w.plant(plant);
        w.reset(b.cpus);
        w.plant(Sandbox::Plant::none);
        std::string d = difference(booted, w.image());
        if (!d.empty()) {
            d = "right after the restore: " + d; // no finish(): its oracles would read a broken kernel
        } else {
            const Outcome restored = run_body(w, b);
            if (restored.trace != fresh.trace)
                d = "the steps' outcomes differ:\n" + fresh.trace + "---- after a restore:\n" +
                    restored.trace;
            else if (restored.failure != fresh.failure)
                d = "the failures differ: '" + fresh.failure + "', after a restore '" + restored.failure +
                    "'";
            else if (restored.wakeups != fresh.wakeups)
                d = "the wakeups differ";
            else
                d = difference(fresh.state, restored.state);
        }
        if (d.empty()) continue;
        ++differing;
        if (first.empty())
            first = "program " + std::to_string((i + 1) % programs.size()) + " after program " +
                    std::to_string(i) + ": " + d;
    }
    if (pairs_differing) *pairs_differing = differing;
    return first;
}

Options sequential_options() {
    Options o;
    o.teardown = false; // as the fuzz targets
    o.verify_restore = true;
    return o;
}

Options smp_test_options() {
    Options o = smp_options();
    o.teardown = false;
    o.verify_restore = true;
    return o;
}

TEST(Snapshot, AProgramRunsAfterARestoreAsOnAFreshBoot) {
    Sandbox w(Sandbox::OnFailure::record, sequential_options());
    EXPECT_EQ(compare_with_fresh_boots(w, sequential_programs(300)), "");
    EXPECT_GT(w.restores(), 300u);
    EXPECT_GT(w.pages_restored(), 0u);
}

TEST(Snapshot, AfterDestroyAllToo) {
    Options o = sequential_options();
    o.teardown = true; // what the tests and the repro tool do: destroy_all, then the next reset restores
    Sandbox w(Sandbox::OnFailure::record, o);
    EXPECT_EQ(compare_with_fresh_boots(w, sequential_programs(100)), "");
}

TEST(Snapshot, AnSmpProgramRunsAfterARestoreAsOnAFreshBoot) {
    // Consecutive programs mostly have different CPU counts: restores go from one snapshot to another.
    Sandbox w(Sandbox::OnFailure::record, smp_test_options());
    EXPECT_EQ(compare_with_fresh_boots(w, smp_programs(150)), "");
}

TEST(Snapshot, EveryRestoreEqualsTheSnapshotWhateverRanBefore) {
    // verify_restore compares the whole pool and Kernel object with the snapshot after every restore; a
    // difference fails the run that follows.
    Sandbox w(Sandbox::OnFailure::record, sequential_options());
    for (const Program& p : sequential_programs(200)) {
        w.reset(p.cpus);
        ASSERT_FALSE(w.failed()) << w.failure();
        p.body(w);
        ASSERT_FALSE(w.failed()) << w.report();
        w.finish();
    }
    w.reset();
    EXPECT_FALSE(w.failed()) << w.failure();
}

/// Each planted broken restore is noticed by the comparison with a fresh boot, and (for the kernel's state)
/// by verify_restore.
void expect_noticed(Sandbox::Plant plant, const std::vector<Program>& programs, Options o) {
    o.verify_restore = false;
    o.model = false; // its boot reads the root's objects, which a broken restore may have left broken
    {
        Sandbox w(Sandbox::OnFailure::record, o);
        std::size_t differing = 0;
        std::string d = compare_with_fresh_boots(w, programs, plant, &differing);
        EXPECT_NE(d, "") << "a broken restore went unnoticed";
        std::printf("planted %d: %zu of %zu restores noticed; the first: %s\n", static_cast<int>(plant),
                    differing, programs.size(), d.substr(0, 160).c_str());
    }
    if (plant == Sandbox::Plant::kept_irq_mask) return; // host state: verify_restore checks the kernel's
    o.verify_restore = true;
    Sandbox w(Sandbox::OnFailure::record, o);
    bool noticed = false;
    for (const Program& p : programs) {
        w.reset(p.cpus);
        p.body(w);
        w.finish();
        w.plant(plant);
        w.reset(p.cpus);
        w.plant(Sandbox::Plant::none);
        noticed = noticed || w.failure().find("restored kernel differs") != std::string::npos;
        w.set_snapshots(false); // a fresh boot before the next program: the broken one must not run
        w.reset(p.cpus);
        w.set_snapshots(true);
    }
    EXPECT_TRUE(noticed) << "verify_restore missed a broken restore";
}

TEST(Snapshot, APageNotCopiedBackIsNoticed) {
    expect_noticed(Sandbox::Plant::skipped_page, sequential_programs(40), sequential_options());
}

TEST(Snapshot, PerCpuEntriesNotRestoredAreNoticed) {
    expect_noticed(Sandbox::Plant::skipped_cpu_entries, sequential_programs(40), sequential_options());
}

TEST(Snapshot, ADeviceLineLeftUnmaskedIsNoticed) {
    expect_noticed(Sandbox::Plant::kept_irq_mask, scenarios(), sequential_options());
}

TEST(Snapshot, AnSmpPageNotCopiedBackIsNoticed) {
    expect_noticed(Sandbox::Plant::skipped_page, smp_programs(30), smp_test_options());
}

TEST(Snapshot, TheUserFramesAreReadOnly) {
    // The kernel only reads the root's boot memory; a write there is a crash, not state a restore would have
    // to undo.
    Sandbox w(Sandbox::OnFailure::record, sequential_options());
    w.reset();
    EXPECT_DEATH(
        {
            volatile std::byte* frame =
                static_cast<std::byte*>(w.kernel().kmem.at_physical(PagePool::physical_base)) +
                w.options().pages * PagePool::page_bytes;
            *frame = std::byte{1};
        },
        "");
}

} // namespace
} // namespace fuzzsys
