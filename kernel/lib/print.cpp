#include "kernel/lib/print.hpp"

#include "arch/console.hpp"

namespace kernel {

namespace {

class ConsoleSink final : public Sink {
public:
    void write(StringView text) override { arch::console_write(text.data(), text.size()); }
};

ConsoleSink console_sink;

} // namespace

Sink& console() {
    return console_sink;
}

void BufferSink::write(StringView text) {
    if (cap_ == 0) {
        truncated_ = truncated_ || !text.empty();
        return;
    }
    std::size_t room = cap_ - 1 - len_;
    std::size_t n = text.size() < room ? text.size() : room;
    for (std::size_t i = 0; i < n; ++i) buf_[len_ + i] = text[i];
    len_ += n;
    buf_[len_] = '\0';
    if (n < text.size()) truncated_ = true;
}

void put(Sink& s, StringView v) {
    s.write(v);
}

void put(Sink& s, char c) {
    s.write(StringView(&c, 1));
}

void put(Sink& s, bool v) {
    s.write(v ? "true" : "false");
}

void put_unsigned(Sink& s, std::uint64_t v) {
    char digits[20];
    std::size_t n = 0;
    do {
        digits[sizeof digits - 1 - n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    s.write(StringView(digits + sizeof digits - n, n));
}

void put_signed(Sink& s, std::int64_t v) {
    if (v < 0) {
        put(s, '-');
        // Negate in unsigned arithmetic: -INT64_MIN does not fit in int64_t.
        put_unsigned(s, ~static_cast<std::uint64_t>(v) + 1);
    } else {
        put_unsigned(s, static_cast<std::uint64_t>(v));
    }
}

void put(Sink& s, Hex v) {
    static constexpr char xdigits[] = "0123456789abcdef";
    char out[2 + 16];
    std::size_t n = 0;
    std::uint64_t x = v.value;
    do {
        out[sizeof out - 1 - n++] = xdigits[x & 0xf];
        x >>= 4;
    } while (x != 0);
    unsigned width = v.width > 16 ? 16 : v.width;
    while (n < width) out[sizeof out - 1 - n++] = '0';
    out[sizeof out - 1 - n++] = 'x';
    out[sizeof out - 1 - n++] = '0';
    s.write(StringView(out + sizeof out - n, n));
}

void put(Sink& s, Size v) {
    static constexpr const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    std::uint64_t n = v.bytes;
    unsigned u = 0;
    while (u + 1 < sizeof units / sizeof *units && n != 0 && n % 1024 == 0) {
        n /= 1024;
        ++u;
    }
    put_unsigned(s, n);
    put(s, ' ');
    put(s, units[u]);
}

} // namespace kernel
