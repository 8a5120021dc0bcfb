// The register images fpu_hold.S loads and dumps, and what the FPU tests compare (fpu_tests.cpp).
#pragma once

#include <cstdint>

namespace roottask::fpu {

/// x87, SSE and AVX state as fpu_hold.S lays it out (the offsets there are checked below).
struct alignas(16) VectorImage {
    std::uint8_t xmm[16][16];
    std::uint8_t ymm_hi[16][16]; ///< bits 255:128 of ymm0-15, where AVX is on
    std::int64_t x87[3];         ///< loaded onto the x87 stack in this order, popped back into it
    std::uint32_t mxcsr;
    std::uint16_t fcw;
    std::uint16_t fsw; ///< written by the dump only
};
static_assert(offsetof(VectorImage, ymm_hi) == 256 && offsetof(VectorImage, x87) == 512 &&
              offsetof(VectorImage, mxcsr) == 536 && offsetof(VectorImage, fcw) == 540 &&
              offsetof(VectorImage, fsw) == 542);

struct HoldAction {
    std::uint64_t mode; ///< 0: spin until *stop; 1: one syscall with regs
    std::uint64_t avx;
    volatile std::uint64_t* progress;
    volatile std::uint64_t* stop;
    std::uint64_t regs[7]; ///< rax (the number), then the argument registers rdi rsi rdx r10 r8 r9
    std::uint64_t result[7];
};
static_assert(offsetof(HoldAction, regs) == 32 && offsetof(HoldAction, result) == 88);

/// The 512-byte FXSAVE image (Intel SDM vol. 1, table 10-2, 64-bit format) a fresh thread records.
struct FxsaveImage {
    std::uint16_t fcw, fsw;
    std::uint8_t ftw, reserved0;
    std::uint16_t fop;
    std::uint64_t fip, fdp;
    std::uint32_t mxcsr, mxcsr_mask;
    std::uint8_t st[8][16];
    std::uint8_t xmm[16][16];
    std::uint8_t rest[96];
};
static_assert(sizeof(FxsaveImage) == 512 && offsetof(FxsaveImage, xmm) == 160);

} // namespace roottask::fpu

extern "C" {
void janus_fpu_hold(const roottask::fpu::VectorImage* in, roottask::fpu::VectorImage* out,
                    roottask::fpu::HoldAction* action);
[[noreturn]] void janus_fpu_fresh_entry();
extern roottask::fpu::FxsaveImage janus_fpu_fresh_fxsave;
extern std::uint8_t janus_fpu_fresh_ymm_hi[16][16];
}
