// A PhysReader over a host buffer, for tests of the boot-information parsers (host only, never in the
// kernel).
//
// FakePhys simulates physical memory [base, base + size) that tests fill with loader structures, plus a
// readable window inside it that may be narrower: the parser sees only what the window grants. Every request
// is logged, so a test can tell whether the parser asked for anything it was refused.
//
// In strict mode each granted read returns a fresh heap copy of exactly the requested bytes, so under ASan a
// parser that touches one byte past what it asked for is caught at once, wherever the data lies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "kernel/boot/bootinfo.hpp"

namespace kernel::boot::testing {

class FakePhys final : public PhysReader {
public:
    struct Access {
        std::uint64_t pa;
        std::size_t size;
        bool granted;
    };

    FakePhys(std::uint64_t base, std::size_t size)
        : base_(base), memory_(size), window_lo_(base), window_hi_(base + size) {}

    std::uint64_t base() const { return base_; }
    std::uint64_t limit() const { return base_ + memory_.size(); }

    /// Narrow (or re-widen) what read() grants: [lo, hi), clipped to the simulated memory by the caller.
    void set_window(std::uint64_t lo, std::uint64_t hi) {
        window_lo_ = lo;
        window_hi_ = hi;
    }
    std::uint64_t window_lo() const { return window_lo_; }
    std::uint64_t window_hi() const { return window_hi_; }

    void set_strict(bool strict) { strict_ = strict; }

    /// Host pointer for filling memory; throws when [pa, pa + n) is not simulated (a bug in the test).
    std::byte* at(std::uint64_t pa, std::size_t n = 1) {
        if (pa < base_ || pa > limit() || n > limit() - pa) throw std::out_of_range("FakePhys::at");
        return memory_.data() + (pa - base_);
    }
    void write(std::uint64_t pa, const void* data, std::size_t n) {
        if (n) std::memcpy(at(pa, n), data, n);
    }
    void write(std::uint64_t pa, const std::vector<std::byte>& bytes) {
        write(pa, bytes.data(), bytes.size());
    }
    void write_u32(std::uint64_t pa, std::uint32_t v) { write_le(pa, v, 4); }
    void write_u64(std::uint64_t pa, std::uint64_t v) { write_le(pa, v, 8); }
    /// The string and its terminating NUL.
    void write_cstring(std::uint64_t pa, std::string_view s) {
        write(pa, s.data(), s.size());
        *at(pa + s.size()) = std::byte{0};
    }

    const std::byte* read(std::uint64_t pa, std::size_t size) override {
        bool ok = size != 0 && pa >= window_lo_ && pa <= window_hi_ && size <= window_hi_ - pa;
        log_.push_back({pa, size, ok});
        if (!ok) return nullptr;
        const std::byte* src = memory_.data() + (pa - base_);
        if (!strict_) return src;
        copies_.push_back(std::make_unique<std::byte[]>(size));
        std::memcpy(copies_.back().get(), src, size);
        return copies_.back().get();
    }

    const std::vector<Access>& log() const { return log_; }
    bool refused_any() const {
        for (const Access& a : log_)
            if (!a.granted) return true;
        return false;
    }
    void clear_log() {
        log_.clear();
        copies_.clear();
    }

private:
    void write_le(std::uint64_t pa, std::uint64_t v, std::size_t n) {
        std::byte* p = at(pa, n);
        for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::byte>(v >> (8 * i));
    }

    std::uint64_t base_;
    std::vector<std::byte> memory_;
    std::uint64_t window_lo_, window_hi_;
    bool strict_ = false;
    std::vector<Access> log_;
    std::vector<std::unique_ptr<std::byte[]>> copies_;
};

} // namespace kernel::boot::testing
