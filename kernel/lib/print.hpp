// Kernel console output: type-safe, allocation-free formatting onto a Sink.
//
//   kernel::println("frame ", kernel::hex(pa), " of ", n, " bytes");
//
// Integers print in decimal; hex() prints 0x-prefixed hexadecimal (pad() widens it with zeros).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>

#include "kernel/lib/string_view.hpp"

namespace kernel {

/// Where formatted text goes. The console sink writes through the arch contract.
class Sink {
public:
    virtual void write(StringView text) = 0;

protected:
    ~Sink() = default;
};

/// Writes to a caller-provided buffer, truncating (never overflowing) and keeping it NUL-terminated.
class BufferSink final : public Sink {
public:
    BufferSink(char* buffer, std::size_t capacity) : buf_(buffer), cap_(capacity) {
        if (cap_) buf_[0] = '\0';
    }
    void write(StringView text) override;
    StringView view() const { return {buf_, len_}; }
    bool truncated() const { return truncated_; }

private:
    char* buf_;
    std::size_t cap_;
    std::size_t len_ = 0;
    bool truncated_ = false;
};

Sink& console();

struct Hex {
    std::uint64_t value;
    unsigned width; ///< minimum digits, zero-padded
};
constexpr Hex hex(std::uint64_t v, unsigned width = 0) {
    return {v, width};
}

/// A byte count printed with a binary unit ("64 KiB", "3 MiB") when it divides evenly.
struct Size {
    std::uint64_t bytes;
};
constexpr Size size(std::uint64_t bytes) {
    return {bytes};
}

void put(Sink& s, StringView v);
void put(Sink& s, char c);
void put(Sink& s, bool v);
void put(Sink& s, Hex v);
void put(Sink& s, Size v);
void put_unsigned(Sink& s, std::uint64_t v);
void put_signed(Sink& s, std::int64_t v);
inline void put(Sink& s, const char* v) {
    put(s, StringView(v ? v : "(null)"));
}
template <std::unsigned_integral T>
void put(Sink& s, T v) requires(!std::same_as<T, bool>) {
    put_unsigned(s, v);
}
template <std::signed_integral T>
void put(Sink& s, T v) requires(!std::same_as<T, char>) {
    put_signed(s, v);
}

template <typename... Args>
void print_to(Sink& s, const Args&... args) {
    (put(s, args), ...);
}

template <typename... Args>
void print(const Args&... args) {
    print_to(console(), args...);
}

template <typename... Args>
void println(const Args&... args) {
    print_to(console(), args..., '\n');
}

} // namespace kernel
