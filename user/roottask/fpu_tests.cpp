// The FPU and vector registers are a thread's own (docs/abi.md "Extended registers"): they survive the timer
// taking the CPU away, IPC to another domain and a move to another CPU, a new thread starts with the
// architectural initial state, and nothing one thread leaves in them reaches another.
//
// Each test thread puts a pattern of its own into x87, MXCSR, xmm0-15 (and the upper halves of ymm0-15 where
// AVX is on) with fpu_hold.S, keeps it there across the kernel entries under test, and dumps what the
// registers then hold; the root compares. Two threads with different patterns share one CPU where the
// test needs the registers of one to be overwritten by the other.
#include <cstddef>

#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/child.hpp"
#include "user/roottask/env.hpp"
#include "user/roottask/eventually.hpp"
#include "user/roottask/fpu_image.hpp"
#include "user/roottask/scratch.hpp"

using namespace janus::user;
using janus::abi::Error;
using janus::abi::Syscall;
namespace R = janus::abi::rights;
namespace msg = janus::abi::msg;
using janus::abi::timeout_never;
using roottask::scratch;
using roottask::second;
using roottask::fpu::FxsaveImage;
using roottask::fpu::HoldAction;
using roottask::fpu::VectorImage;

extern "C" char _start[];
extern "C" char __image_end[];

extern "C" {
volatile std::uint64_t janus_fpu_fresh_avx = 0;
volatile std::uint64_t janus_fpu_fresh_recorded = 0;

/// After janus_fpu_fresh_entry recorded the registers: say so, then stay out of the way until deleted.
[[noreturn]] void janus_fpu_fresh_done() {
    janus_fpu_fresh_recorded = 1;
    for (;;) sys::thread_yield();
}
}

namespace {

constexpr Vaddr utcb_a = 0x1300'0000, utcb_b = 0x1300'1000;
constexpr Sel child_ep{1}; // in a child's space: the endpoint it calls

struct Cpuid {
    std::uint32_t eax, ebx, ecx, edx;
};
Cpuid cpuid(std::uint32_t leaf) {
    Cpuid r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(0));
    return r;
}

/// AVX is usable from ring 3: the CPU has it, the kernel set CR4.OSXSAVE and enabled SSE and AVX state in
/// XCR0 (Intel SDM vol. 1, 14.3). Then the kernel must keep the upper halves too.
bool avx_usable() {
    Cpuid l1 = cpuid(1);
    constexpr std::uint32_t osxsave = 1u << 27, avx = 1u << 28;
    if ((l1.ecx & (osxsave | avx)) != (osxsave | avx)) return false;
    std::uint32_t lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (lo & 6) == 6;
}

/// A pattern no other seed shares in any register: every byte, the x87 values, MXCSR's rounding mode and
/// the x87 control word's precision and rounding fields (exceptions stay masked).
VectorImage pattern(unsigned seed) {
    VectorImage v{};
    for (unsigned r = 0; r < 16; ++r)
        for (unsigned b = 0; b < 16; ++b) {
            v.xmm[r][b] = static_cast<std::uint8_t>(seed * 61 + r * 17 + b * 5 + 1);
            v.ymm_hi[r][b] = static_cast<std::uint8_t>(seed * 29 + r * 11 + b * 3 + 7);
        }
    for (unsigned i = 0; i < 3; ++i) v.x87[i] = static_cast<std::int64_t>(seed) * 1000 + i + 1;
    v.mxcsr = 0x1f80 | ((seed % 3 + 1) << 13); // round down / up / toward zero
    v.fcw = static_cast<std::uint16_t>(0x7f | ((seed % 3) << 8) | ((seed % 4) << 10)); // never 0x37f
    return v;
}

/// Where `got` differs from `want` ("" if nowhere): the first register that does.
const char* difference(const VectorImage& want, const VectorImage& got, bool avx) {
    for (unsigned r = 0; r < 16; ++r)
        for (unsigned b = 0; b < 16; ++b) {
            if (want.xmm[r][b] != got.xmm[r][b]) return "an xmm register";
            if (avx && want.ymm_hi[r][b] != got.ymm_hi[r][b]) return "the upper half of a ymm register";
        }
    for (unsigned i = 0; i < 3; ++i)
        if (want.x87[i] != got.x87[i]) return "an x87 register";
    if (want.mxcsr != got.mxcsr) return "MXCSR";
    if (want.fcw != got.fcw) return "the x87 control word";
    return "";
}

// Two holders: each runs janus_fpu_hold with its own image and action, then says it is done.
VectorImage images[2], dumps[2];
HoldAction actions[2];
volatile std::uint64_t progress[2], stop[2], done[2];

template <unsigned I>
[[noreturn]] void holder() {
    janus_fpu_hold(&images[I], &dumps[I], &actions[I]);
    done[I] = 1;
    for (;;) sys::thread_yield();
}

void prepare(unsigned i, unsigned seed, std::uint64_t mode, bool avx) {
    images[i] = pattern(seed);
    dumps[i] = VectorImage{};
    progress[i] = 0;
    stop[i] = 0;
    done[i] = 0;
    actions[i] = HoldAction{mode, avx, &progress[i], &stop[i], {}, {}};
}

/// holder `i` calls child_ep (from its child domain) with the pattern in its registers.
void prepare_call(unsigned i, unsigned seed, bool avx) {
    prepare(i, seed, 1, avx);
    actions[i].regs[0] = static_cast<std::uint64_t>(Syscall::ipc_call);
    actions[i].regs[1] = raw(child_ep);
    actions[i].regs[2] = msg::info(7, 3);
    actions[i].regs[3] = timeout_never;
    actions[i].regs[4] = 0x11;
}

/// Both spinners have gone round, twice over: each had the CPU in two separate stretches.
bool both_progressed(Sel pause) {
    if (!roottask::eventually(pause, [] { return progress[0] != 0 && progress[1] != 0; })) return false;
    const std::uint64_t a = progress[0], b = progress[1];
    return roottask::eventually(pause, [a, b] { return progress[0] > a && progress[1] > b; });
}

bool in_image(std::uint64_t address) {
    return address >= reinterpret_cast<std::uint64_t>(_start) &&
           address < reinterpret_cast<std::uint64_t>(__image_end);
}

} // namespace

JANUS_TEST(fpu_registers_survive_timer_preemption_by_a_thread_on_the_same_cpu) {
    REQUIRE_BOOT();
    const Sel a = scratch(0), b = scratch(1), pause = scratch(2);
    const bool avx = avx_usable();
    const Word cpu = roottask::other_cpu();
    prepare(0, 1, 0, avx);
    prepare(1, 2, 0, avx);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    if (roottask::start_thread_on(t, a, root::own_pd, utcb_a, holder<0>, 100, cpu) &&
        roottask::start_thread_on(t, b, root::own_pd, utcb_b, holder<1>, 100, cpu)) {
        // Equal priorities on one CPU: the timer hands it from one spinner to the other and back.
        CHECK(both_progressed(pause));
        stop[0] = 1;
        stop[1] = 1;
        CHECK(roottask::eventually(pause, [] { return done[0] && done[1]; }));
        for (unsigned i = 0; i < 2; ++i)
            if (done[i]) {
                const char* d = difference(images[i], dumps[i], avx);
                if (*d) t.note("spinner {}: {} changed", i, d);
                CHECK(*d == '\0');
            }
    }
    if (!avx) t.note("no AVX here: x87, MXCSR and xmm0-15 checked");
    roottask::clear_scratch(3);
}

JANUS_TEST(fpu_registers_survive_ipc_between_domains_and_a_fresh_thread_starts_clean) {
    REQUIRE_BOOT();
    const Sel child = scratch(0), caller = scratch(1), ep = scratch(2), reply = scratch(3),
              fresh_pd = scratch(4), fresh = scratch(5), pause = scratch(6);
    const bool avx = avx_usable();
    const Word cpu = roottask::other_cpu();
    auto& u = roottask::root_utcb();
    prepare_call(0, 3, avx);
    janus_fpu_fresh_avx = avx;
    janus_fpu_fresh_recorded = 0;
    janus_fpu_fresh_fxsave = FxsaveImage{};
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    if (roottask::make_child(t, child, 256 * 1024) && roottask::make_child(t, fresh_pd, 256 * 1024) &&
        CHECK_EQ(sys::cap_copy(ep, child, child_ep, R::write, 0).error, Error::ok) &&
        roottask::start_thread_on(t, caller, child, utcb_a, holder<0>, 100, cpu)) {
        u.reply_sel = raw(reply);
        auto call = sys::ipc_recv(ep, second);
        if (CHECK_EQ(call.error, Error::ok) && CHECK_EQ(call.w0, Word{0x11})) {
            // The caller waits for the answer with its pattern in the registers of `cpu` (nothing else ran
            // there since). A new thread of another domain on the same CPU must find the initial state.
            if (roottask::start_thread_on(t, fresh, fresh_pd, utcb_b, janus_fpu_fresh_entry, 100, cpu) &&
                CHECK(roottask::eventually(pause, [] { return janus_fpu_fresh_recorded != 0; }))) {
                const FxsaveImage& f = janus_fpu_fresh_fxsave;
                CHECK_EQ(f.fcw, std::uint16_t{0x37f});
                CHECK_EQ(f.fsw, std::uint16_t{0});
                CHECK_EQ(f.ftw, std::uint8_t{0}); // abridged tag word: every register empty
                CHECK_EQ(f.mxcsr, std::uint32_t{0x1f80});
                bool zero = true;
                for (unsigned r = 0; r < 16; ++r)
                    for (unsigned b = 0; b < 16; ++b) {
                        zero &= f.xmm[r][b] == 0;
                        if (avx) zero &= janus_fpu_fresh_ymm_hi[r][b] == 0;
                    }
                for (unsigned s = 0; s < 8; ++s)
                    for (unsigned b = 0; b < 10; ++b) zero &= f.st[s][b] == 0;
                CHECK(zero);
                // The x87 pointers name the last x87 instruction and operand: the caller's, in the shared
                // image, if they leaked.
                CHECK(!in_image(f.fip));
                CHECK(!in_image(f.fdp));
            }
            // The root's own pattern across its reply: it is a thread too.
            VectorImage mine = pattern(4), after{};
            HoldAction answer{1, avx, nullptr, nullptr, {}, {}};
            answer.regs[0] = static_cast<std::uint64_t>(Syscall::ipc_reply);
            answer.regs[1] = raw(reply);
            answer.regs[2] = msg::info(0, 1);
            answer.regs[3] = 0x22;
            janus_fpu_hold(&mine, &after, &answer);
            CHECK_EQ(answer.result[0], static_cast<std::uint64_t>(Error::ok));
            const char* d = difference(mine, after, avx);
            if (*d) t.note("the root's {} changed across ipc_reply", d);
            CHECK(*d == '\0');
            if (CHECK(roottask::eventually(pause, [] { return done[0] != 0; }))) {
                CHECK_EQ(actions[0].result[0], static_cast<std::uint64_t>(Error::ok));
                CHECK_EQ(actions[0].result[3], Word{0x22}); // w0 of the answer
                d = difference(images[0], dumps[0], avx);
                if (*d) t.note("the caller's {} changed across its call", d);
                CHECK(*d == '\0');
            }
        }
    }
    u.reply_sel = 0;
    roottask::clear_scratch(7);
}

JANUS_TEST(fpu_registers_survive_a_move_to_another_cpu) {
    REQUIRE_BOOT();
    const Sel mover = scratch(0), stayer = scratch(1), pause = scratch(2);
    const bool avx = avx_usable();
    const Word from = roottask::other_cpu(), to = 0;
    prepare(0, 5, 0, avx);
    prepare(1, 6, 0, avx);
    CHECK_EQ(sys::notification_create(pause).error, Error::ok);
    // The mover spins on `from` beside the stayer (so `from`'s registers hold the stayer's pattern whenever
    // the mover is off), then goes to CPU 0, where the root task's own registers were.
    if (roottask::start_thread_on(t, mover, root::own_pd, utcb_a, holder<0>, 100, from) &&
        roottask::start_thread_on(t, stayer, root::own_pd, utcb_b, holder<1>, 100, from) &&
        CHECK(both_progressed(pause))) {
        CHECK_EQ(sys::thread_set_sched(mover, 100, to).error, Error::ok);
        const std::uint64_t before = progress[0];
        CHECK(roottask::eventually(pause, [before] { return progress[0] > before + 1000; }));
        stop[0] = 1;
        stop[1] = 1;
        CHECK(roottask::eventually(pause, [] { return done[0] && done[1]; }));
        for (unsigned i = 0; i < 2; ++i)
            if (done[i]) {
                const char* d = difference(images[i], dumps[i], avx);
                if (*d) t.note("{}: {} changed", i == 0 ? "the mover" : "the stayer", d);
                CHECK(*d == '\0');
            }
        if (from == to) t.note("one CPU: the move stays on CPU 0");
    }
    roottask::clear_scratch(3);
}
