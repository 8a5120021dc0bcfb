// Benchmark (not a test): host-side cost of the IPC paths through the real dispatcher, threads driven as
// logical actors on one host thread (no run loop, no ring 3: the kernel's share of each operation).
//
//   bench_ipc [rounds]      default 200000
//
// Figures: a null syscall (thread_yield); a call + reply_recv round trip between two domains' threads with a
// short message, through the fast path and through the general path; a page-fault round trip (the fault
// becomes a call to the pager, whose reply_recv answers it). Wall-clock ns per operation, then instructions
// per operation from callgrind on a debug-stripped copy (bench_ipc.stripped; valgrind 3.19 cannot read
// clang's DWARF 5), taking the difference of two round counts so set-up cancels out. The bare-metal figures
// (qemu -icount, ring 3 included) come from user/bench; these are their host-side counterpart.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "kernel/abi/ipc.hpp"
#include "kernel/ipc/ipc.hpp"
#include "kernel/kernel.hpp"
#include "kernel/kmem/testing/host_pages.hpp"
#include "kernel/lifecycle/root.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/dispatch.hpp"

namespace {

using namespace kernel;
namespace spec = janus::abi;
using S = spec::Syscall;

enum class Op { null_syscall, round_trip_fast, round_trip_general, page_fault };
const char* const names[] = {"null syscall (thread_yield)", "call+reply_recv round trip, fast path",
                             "call+reply_recv round trip, general path", "page fault round trip via pager"};

struct World {
    testing::HostPages pages;
    std::unique_ptr<Kernel> k = std::make_unique<Kernel>();
    Thread* root = nullptr;
    Thread* client = nullptr;
    Thread* server = nullptr;
    bool ok = true;

    std::uint64_t sys(Thread& t, S s, std::uint64_t a0 = 0, std::uint64_t a1 = 0, std::uint64_t a2 = 0,
                      std::uint64_t a3 = 0, std::uint64_t a4 = 0, std::uint64_t a5 = 0) {
        SyscallRegs r{static_cast<std::uint64_t>(s), a0, a1, a2, a3, a4, a5};
        syscall(t, r);
        return r.rax;
    }
    Thread& thread_at(std::uint64_t sel) { return as<Thread>(*k->root->space.cap(sel)->object()); }

    World() {
        k->init(pages, 1);
        RootConfig config;
        config.quota = 1 << 22;
        auto r = create_root(*k, config);
        if (!r) {
            ok = false;
            return;
        }
        root = r.value().thread;
        ok &= sys(*root, S::endpoint_create, 10) == 0;
        ok &= sys(*root, S::thread_create, 20, spec::root_sel::pd, 0x20000, 100, 0) == 0;
        ok &= sys(*root, S::thread_create, 21, spec::root_sel::pd, 0x21000, 100, 0) == 0;
        if (!ok) return;
        client = &thread_at(20);
        server = &thread_at(21);
        ok &= sys(*root, S::thread_start, 20, 0x400000, 0x7ff000) == 0;
        ok &= sys(*root, S::thread_start, 21, 0x400000, 0x7fe000) == 0;
        ok &= sys(*root, S::thread_configure, 20, 10, 0) == 0; // the server is the client's pager
        static_cast<spec::Utcb*>(server->utcb_page)->reply_sel = 50;
        sys(*server, S::ipc_recv, 10, spec::timeout_never); // waits for the first call
    }
    ~World() {
        if (k->root) destroy_all(*k);
    }

    void run(Op op, unsigned long rounds) {
        const std::uint64_t info = spec::msg::info(1, 2);
        for (unsigned long i = 0; i < rounds && ok; ++i) {
            switch (op) {
            case Op::null_syscall:
                ok &= sys(*client, S::thread_yield) == 0;
                break;
            case Op::round_trip_fast:
            case Op::round_trip_general:
                sys(*client, S::ipc_call, 10, info, spec::timeout_never, i, i + 1);
                sys(*server, S::ipc_reply_recv, 10, info, spec::timeout_never, i + 2, i + 3);
                ok &= client->frame.rax == 0 && client->frame.rdx == i + 2;
                break;
            case Op::page_fault: {
                {
                    SpinGuard g(k->lock);
                    ipc::exception(*k, *client,
                                   arch::UserExit{arch::UserExit::Kind::exception, 14, 6, 0x5000});
                }
                ok &= server->frame.rdx == 0x5000; // the pager got the fault address
                sys(*server, S::ipc_reply_recv, 10, spec::msg::info(0, 0), spec::timeout_never);
                ok &= client->ipc.wait == Wait::none; // answered: it retries the access
                break;
            }
            }
        }
    }
};

/// Runs `rounds` of `op` on a fresh world; seconds spent, or a negative number on failure.
double measure(Op op, unsigned long rounds) {
    World w;
    if (!w.ok) return -1;
    w.k->test.ipc_fastpath = op != Op::round_trip_general;
    auto start = std::chrono::steady_clock::now();
    w.run(op, rounds);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return w.ok ? s : -1;
}

long long callgrind_instructions(const std::string& stripped, int op, unsigned long rounds) {
    std::string cmd = "valgrind --tool=callgrind --callgrind-out-file=/dev/null '" + stripped + "' " +
                      std::to_string(rounds) + " " + std::to_string(op) + " 2>&1";
    std::FILE* p = popen(cmd.c_str(), "r");
    if (!p) return -1;
    long long total = -1;
    char line[512];
    while (std::fgets(line, sizeof line, p)) {
        std::string s(line);
        auto at = s.find("Collected :");
        if (at != std::string::npos) total = std::atoll(s.c_str() + at + 11);
    }
    return pclose(p) == 0 ? total : -1;
}

} // namespace

int main(int argc, char** argv) {
    const unsigned long rounds = argc > 1 ? std::strtoul(argv[1], nullptr, 0) : 200000;
    if (argc > 2) { // the callgrind child: one operation only
        return measure(static_cast<Op>(std::atoi(argv[2])), rounds) < 0 ? 1 : 0;
    }
    const std::string stripped = std::string(argv[0]) + ".stripped";
    for (int op = 0; op < 4; ++op) {
        double s = measure(static_cast<Op>(op), rounds);
        if (s < 0) {
            std::printf("ipc: %s: FAILED\n", names[op]);
            return 1;
        }
        std::printf("ipc: %-42s %8.1f ns", names[op], s * 1e9 / static_cast<double>(rounds));
        long long a = callgrind_instructions(stripped, op, 2000),
                  b = callgrind_instructions(stripped, op, 4000);
        if (a < 0 || b <= a)
            std::printf("   instructions: not measured (needs valgrind)\n");
        else
            std::printf("   %6.0f instructions (callgrind)\n", static_cast<double>(b - a) / 2000.0);
    }
    return 0;
}
