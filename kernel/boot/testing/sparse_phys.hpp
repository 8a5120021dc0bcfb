// A PhysReader over several separate ranges of simulated physical memory, each a FakePhys (host only, for the
// ACPI tests): firmware tables lie far apart (SeaBIOS's RSDP in the BIOS area at 0xf5xxx, its tables near the
// top of RAM), and between them nothing is readable. A read is granted only if it lies wholly inside one
// range (and that range's readable window); every request is logged, as FakePhys does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

#include "kernel/boot/testing/fake_phys.hpp"

namespace kernel::boot::testing {

class SparsePhys final : public PhysReader {
public:
    /// Add a readable range [base, base + size), zero-filled. Ranges must not overlap (a bug in the test).
    FakePhys& add(std::uint64_t base, std::size_t size) {
        for (const auto& r : ranges_)
            if (base < r->limit() && r->base() < base + size) throw std::logic_error("SparsePhys: overlap");
        ranges_.push_back(std::make_unique<FakePhys>(base, size));
        ranges_.back()->set_strict(strict_);
        return *ranges_.back();
    }

    /// Every granted read an exact-size heap copy (see FakePhys::set_strict), in all ranges.
    void set_strict(bool strict) {
        strict_ = strict;
        for (auto& r : ranges_) r->set_strict(strict);
    }

    /// The range holding [pa, pa + n), for filling it; throws if there is none.
    FakePhys& range(std::uint64_t pa, std::size_t n = 1) {
        if (FakePhys* r = find(pa, n)) return *r;
        throw std::out_of_range("SparsePhys::range");
    }
    void write(std::uint64_t pa, const void* data, std::size_t n) { range(pa, n).write(pa, data, n); }
    void write(std::uint64_t pa, const std::vector<std::byte>& bytes) {
        write(pa, bytes.data(), bytes.size());
    }
    std::byte* at(std::uint64_t pa, std::size_t n = 1) { return range(pa, n).at(pa, n); }

    const std::byte* read(std::uint64_t pa, std::size_t size) override {
        FakePhys* r = size ? find(pa, size) : nullptr;
        const std::byte* p = r ? r->read(pa, size) : nullptr;
        log_.push_back({pa, size, p != nullptr});
        return p;
    }

    const std::vector<FakePhys::Access>& log() const { return log_; }
    bool refused_any() const {
        for (const FakePhys::Access& a : log_)
            if (!a.granted) return true;
        return false;
    }
    void clear_log() {
        log_.clear();
        for (auto& r : ranges_) r->clear_log();
    }

private:
    FakePhys* find(std::uint64_t pa, std::size_t n) {
        for (auto& r : ranges_)
            if (pa >= r->base() && pa <= r->limit() && n <= r->limit() - pa) return r.get();
        return nullptr;
    }

    std::vector<std::unique_ptr<FakePhys>> ranges_;
    bool strict_ = false;
    std::vector<FakePhys::Access> log_;
};

} // namespace kernel::boot::testing
