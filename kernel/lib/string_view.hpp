// A string view for kernel code. libstdc++'s <string_view> drags in wide-character and locale headers that do
// not exist freestanding, so the kernel keeps this small equivalent.
#pragma once

#include <cstddef>

namespace kernel {

class StringView {
public:
    constexpr StringView() = default;
    constexpr StringView(const char* s, std::size_t n) : data_(s), size_(n) {}
    /// From a NUL-terminated string (a null pointer gives the empty view).
    constexpr StringView(const char* s) : data_(s), size_(length(s)) {}

    constexpr const char* data() const { return data_; }
    constexpr std::size_t size() const { return size_; }
    constexpr bool empty() const { return size_ == 0; }
    constexpr char operator[](std::size_t i) const { return data_[i]; }
    constexpr const char* begin() const { return data_; }
    constexpr const char* end() const { return data_ + size_; }

    friend constexpr bool operator==(StringView a, StringView b) {
        if (a.size_ != b.size_) return false;
        for (std::size_t i = 0; i < a.size_; ++i)
            if (a.data_[i] != b.data_[i]) return false;
        return true;
    }

private:
    static constexpr std::size_t length(const char* s) {
        std::size_t n = 0;
        if (s)
            while (s[n]) ++n;
        return n;
    }

    const char* data_ = "";
    std::size_t size_ = 0;
};

} // namespace kernel
