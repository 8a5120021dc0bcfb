// printf-like formatting onto a Sink, type-safe and allocation-free:
//
//   print(debug_out(), "cap_info({}) -> {} type {x}\n", sel, r.error, r.type);
//
// `{}` prints the next argument in its natural form (integers in decimal, strings, characters, booleans,
// abi::Error by name, other enums as their number); `{x}` prints it in hexadecimal with 0x; `{{` is a literal
// `{`. A placeholder without an argument prints `{?}`; surplus arguments are ignored.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "kernel/abi/abi.hpp"
#include "user/lib/debug_log.hpp"
#include "user/lib/sink.hpp"

namespace janus::user {

/// One argument, reduced to what the formatter needs.
struct FormatArg {
    enum class Kind : std::uint8_t { unsigned_number, signed_number, string, character, boolean };

    // Largest first, so the argument takes 24 bytes, not 32.
    std::uint64_t number = 0; ///< unsigned_number, boolean; signed_number as two's complement
    const char* text = nullptr;
    Kind kind;
    char character = 0;

    template <std::unsigned_integral T>
    requires(!std::same_as<T, bool>) constexpr FormatArg(T v) : number(v), kind(Kind::unsigned_number) {}
    template <std::signed_integral T>
    requires(!std::same_as<T, char>) constexpr FormatArg(T v)
        : number(static_cast<std::uint64_t>(v)), kind(Kind::signed_number) {}
    constexpr FormatArg(bool v) : number(v), kind(Kind::boolean) {}
    constexpr FormatArg(char c) : kind(Kind::character), character(c) {}
    constexpr FormatArg(const char* s) : text(s ? s : "(null)"), kind(Kind::string) {}
    FormatArg(abi::Error e);
    template <typename E>
    requires std::is_enum_v<E>
    constexpr FormatArg(E e) : FormatArg(static_cast<std::underlying_type_t<E>>(e)) {}
};

void format_to(Sink& out, const char* format, const FormatArg* args, std::size_t count);

template <typename... A>
void print(Sink& out, const char* format, const A&... args) {
    const FormatArg list[sizeof...(A) + 1] = {FormatArg(args)..., FormatArg(false)};
    format_to(out, format, list, sizeof...(A));
}

/// print() to the program's debug output.
template <typename... A>
void debug(const char* format, const A&... args) {
    print(debug_out(), format, args...);
}

} // namespace janus::user
