// Thread-local storage: where the CPU offers FSGSBASE (CPUID.7.EBX[0]) the kernel enables it, and each thread
// sets its own fs and gs bases with wrfsbase/wrgsbase (docs/abi.md "Segment bases"). They are the thread's:
// another thread on the same CPU setting its own does not change them, and a new thread starts with 0.
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/child.hpp"
#include "user/roottask/env.hpp"
#include "user/roottask/eventually.hpp"
#include "user/roottask/scratch.hpp"

using namespace janus::user;
using janus::abi::Error;
using roottask::scratch;

namespace {

constexpr Vaddr utcb_a = 0x1400'0000;

bool fsgsbase_offered() {
    std::uint32_t eax, ebx, ecx, edx;
    asm volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(0), "c"(0));
    if (eax < 7) return false;
    asm volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(7), "c"(0));
    return ebx & 1;
}

void set_bases(std::uint64_t fs, std::uint64_t gs) {
    asm volatile("wrfsbase %0; wrgsbase %1" : : "r"(fs), "r"(gs) : "memory");
}
std::uint64_t fs_base() {
    std::uint64_t v;
    asm volatile("rdfsbase %0" : "=r"(v));
    return v;
}
std::uint64_t gs_base() {
    std::uint64_t v;
    asm volatile("rdgsbase %0" : "=r"(v));
    return v;
}
/// The first words of the thread's fs and gs segments, the way compiled TLS code reads them.
std::uint64_t fs_word() {
    std::uint64_t v;
    asm volatile("mov %%fs:0, %0" : "=r"(v));
    return v;
}
std::uint64_t gs_word() {
    std::uint64_t v;
    asm volatile("mov %%gs:0, %0" : "=r"(v));
    return v;
}

Vaddr other_fs, other_gs;
volatile std::uint64_t other_saw_fs, other_saw_gs, other_started_fs, other_started_gs, other_done;

/// Another thread on the root's CPU: what it starts with, then bases of its own.
[[noreturn]] void other() {
    other_started_fs = fs_base();
    other_started_gs = gs_base();
    set_bases(other_fs, other_gs);
    sys::thread_yield();
    other_saw_fs = fs_word();
    other_saw_gs = gs_word();
    other_done = 1;
    for (;;) sys::thread_yield();
}

} // namespace

JANUS_TEST(fs_and_gs_bases_belong_to_their_thread) {
    REQUIRE_BOOT();
    if (!fsgsbase_offered()) {
        t.note("the CPU offers no FSGSBASE: ring 3 cannot set segment bases here (they stay 0)");
        return;
    }
    const Sel thread = scratch(0), pause = scratch(1);
    const Vaddr pages = roottask::take_pages(4);
    if (!CHECK_NE(pages, Vaddr{0})) return;
    auto word = [](Vaddr va) { return reinterpret_cast<volatile std::uint64_t*>(va); };
    const Vaddr my_fs = pages, my_gs = pages + 4096;
    other_fs = pages + 2 * 4096;
    other_gs = pages + 3 * 4096;
    *word(my_fs) = 0xf5f5'0001;
    *word(my_gs) = 0x6565'0001;
    *word(other_fs) = 0xf5f5'0002;
    *word(other_gs) = 0x6565'0002;
    other_done = 0;
    set_bases(my_fs, my_gs);
    CHECK_EQ(fs_base(), my_fs);
    CHECK_EQ(fs_word(), std::uint64_t{0xf5f5'0001});
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    // On the root's own CPU, so that it runs here between the root's naps with bases of its own.
    if (roottask::start_thread_on(t, thread, root::own_pd, utcb_a, other, 100, 0) &&
        CHECK(roottask::eventually(pause, [] { return other_done != 0; }))) {
        CHECK_EQ(other_started_fs, std::uint64_t{0}); // a new thread: 0, not the root's
        CHECK_EQ(other_started_gs, std::uint64_t{0});
        CHECK_EQ(other_saw_fs, std::uint64_t{0xf5f5'0002}); // its own, across its yield
        CHECK_EQ(other_saw_gs, std::uint64_t{0x6565'0002});
        CHECK_EQ(fs_base(), my_fs); // the root's, across its naps while the other ran
        CHECK_EQ(gs_base(), my_gs);
        CHECK_EQ(fs_word(), std::uint64_t{0xf5f5'0001});
        CHECK_EQ(gs_word(), std::uint64_t{0x6565'0001});
    }
    set_bases(0, 0);
    roottask::clear_scratch(2);
}
