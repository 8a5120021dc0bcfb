#include "user/lib/format.hpp"

namespace janus::user {

FormatArg::FormatArg(abi::Error e) : kind(Kind::string) {
    for (const abi::ErrorSpec& spec : abi::errors)
        if (spec.code == e) text = spec.name;
    if (text == nullptr) {
        kind = Kind::unsigned_number;
        number = static_cast<std::uint64_t>(e);
    }
}

namespace {

void put_char(Sink& out, char c) {
    out.write(&c, 1);
}

void put_string(Sink& out, const char* s) {
    std::size_t n = 0;
    while (s[n] != '\0') ++n;
    out.write(s, n);
}

void put_unsigned(Sink& out, std::uint64_t v, unsigned base) {
    static constexpr char digits[] = "0123456789abcdef";
    char buffer[20]; // 2^64 - 1 has 20 decimal digits, 16 hexadecimal ones
    std::size_t n = 0;
    do {
        buffer[sizeof buffer - 1 - n++] = digits[v % base];
        v /= base;
    } while (v != 0);
    if (base == 16) out.write("0x", 2);
    out.write(buffer + sizeof buffer - n, n);
}

void put_arg(Sink& out, const FormatArg& a, bool hex) {
    switch (a.kind) {
    case FormatArg::Kind::unsigned_number:
        return put_unsigned(out, a.number, hex ? 16 : 10);
    case FormatArg::Kind::signed_number:
        if (hex) return put_unsigned(out, a.number, 16);
        if (static_cast<std::int64_t>(a.number) < 0) {
            put_char(out, '-');
            return put_unsigned(out, ~a.number + 1, 10); // the magnitude, also of INT64_MIN
        }
        return put_unsigned(out, a.number, 10);
    case FormatArg::Kind::boolean:
        return put_string(out, a.number ? "true" : "false");
    case FormatArg::Kind::character:
        return put_char(out, a.character);
    case FormatArg::Kind::string:
        return put_string(out, a.text);
    }
}

} // namespace

void format_to(Sink& out, const char* format, const FormatArg* args, std::size_t count) {
    std::size_t next = 0;
    const char* run = format; // start of literal text not yet written
    const char* p = format;
    while (*p != '\0') {
        if (*p != '{') {
            ++p;
            continue;
        }
        out.write(run, static_cast<std::size_t>(p - run));
        if (p[1] == '{') {
            put_char(out, '{');
            p += 2;
        } else if (p[1] == '}' || (p[1] == 'x' && p[2] == '}')) {
            bool hex = p[1] == 'x';
            if (next < count)
                put_arg(out, args[next++], hex);
            else
                put_string(out, "{?}");
            p += hex ? 3 : 2;
        } else {
            put_char(out, '{'); // not a placeholder: print as is
            ++p;
        }
        run = p;
    }
    out.write(run, static_cast<std::size_t>(p - run));
}

} // namespace janus::user
