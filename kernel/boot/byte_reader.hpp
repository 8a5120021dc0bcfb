// Little-endian field reads from untrusted bytes, always through a bounds check.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kernel::boot {

/// A view of `size` bytes of loader data starting at physical address `pa`. Reads outside it return false and
/// leave the output untouched; nothing here can read out of bounds.
class ByteView {
public:
    ByteView(const std::byte* data, std::size_t size, std::uint64_t pa) : data_(data), size_(size), pa_(pa) {}

    std::size_t size() const { return size_; }
    std::uint64_t pa() const { return pa_; }
    std::uint64_t pa_at(std::size_t offset) const { return pa_ + offset; }

    template <typename T>
    bool read(std::size_t offset, T& out) const {
        if (offset > size_ || sizeof(T) > size_ - offset) return false;
        T v = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i)
            v |= static_cast<T>(static_cast<T>(data_[offset + i]) << (8 * i));
        out = v;
        return true;
    }

    /// Sub-view [offset, offset + len), or an empty view if that is not inside this one.
    bool sub(std::size_t offset, std::size_t len, ByteView& out) const {
        if (offset > size_ || len > size_ - offset) return false;
        out = ByteView(data_ + offset, len, pa_ + offset);
        return true;
    }

    /// Copy the NUL-terminated string starting at `offset` into dst (capacity cap, truncating, always
    /// terminated). False if no NUL occurs before the end of the view.
    bool copy_string(std::size_t offset, char* dst, std::size_t cap) const {
        for (std::size_t i = offset; i < size_; ++i) {
            if (data_[i] == std::byte{0}) {
                std::size_t len = i - offset;
                std::size_t n = len < cap - 1 ? len : cap - 1;
                for (std::size_t j = 0; j < n; ++j) dst[j] = static_cast<char>(data_[offset + j]);
                dst[n] = '\0';
                return true;
            }
        }
        return false;
    }

private:
    const std::byte* data_;
    std::size_t size_;
    std::uint64_t pa_;
};

} // namespace kernel::boot
