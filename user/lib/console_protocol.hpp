// The console protocol (docs/components.md): how a client has text written by the console server (the uart
// component). One request, `write`; the server answers once the bytes are in the device's transmit FIFO.
//
//   request  label 1 (write), words: w0 = length in bytes (0 .. max_write), then the bytes, eight per word,
//            little-endian (byte i is bits 8*(i%8) .. of word 1 + i/8); at least words_for(length) words
//   answer   label = Status, w0 = bytes written (all of them when the label is ok)
//
// Words 0..2 travel in registers, so a request of up to 16 bytes needs no UTCB; longer ones put words 3.. in
// the caller's UTCB. The server trusts nothing in a request: a length beyond max_write or beyond the words
// sent is bad_length and nothing is written.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/abi/ipc.hpp"
#include "user/lib/syscall.hpp"

namespace janus::console {

inline constexpr std::uint64_t label_write = 1;

/// Answer labels. 0 is success; the others say why nothing (or not everything) was written.
enum class Status : std::uint64_t {
    ok = 0,
    unknown_request = 1, ///< a label the server does not serve
    bad_length = 2,      ///< w0 above max_write or above what the message's words carry
    device_stalled = 3,  ///< the transmitter stopped taking bytes; w0 says how many went out
};

/// Bytes one request carries: every word after w0 (63 words).
inline constexpr std::size_t max_write = (abi::msg::max_words - 1) * 8;
/// Bytes a request carries in registers alone (words 1 and 2).
inline constexpr std::size_t register_write = (abi::msg::register_words - 1) * 8;

/// Words a write of `length` bytes needs (w0 included).
constexpr unsigned words_for(std::size_t length) {
    return static_cast<unsigned>(1 + (length + 7) / 8);
}

/// Puts `length` bytes into words[1 ..] (words_for(length) - 1 of them, zero-padded) and the length into w0.
constexpr void pack(const char* text, std::size_t length, std::uint64_t* words) {
    words[0] = length;
    for (unsigned w = 1; w < words_for(length); ++w) words[w] = 0;
    for (std::size_t i = 0; i < length; ++i)
        words[1 + i / 8] |= std::uint64_t{static_cast<unsigned char>(text[i])} << (8 * (i % 8));
}

/// Byte `i` of a packed request.
constexpr char byte_at(const std::uint64_t* words, std::size_t i) {
    return static_cast<char>(words[1 + i / 8] >> (8 * (i % 8)) & 0xff);
}

/// The length a request of `word_count` words announces, or Status::bad_length if the words cannot carry it.
constexpr Status check_write(const std::uint64_t* words, unsigned word_count) {
    if (word_count < 1 || words[0] > max_write || word_count < words_for(words[0])) return Status::bad_length;
    return Status::ok;
}

/// What a client helper reports: the kernel's error of the call (ok if the call reached the server and was
/// answered), the server's status and the bytes written in all.
struct WriteResult {
    abi::Error error;
    Status status;
    std::size_t written;
    constexpr bool ok() const { return error == abi::Error::ok && status == Status::ok; }
};

namespace detail {

inline WriteResult chunked(user::Sel ep, const char* text, std::size_t length, abi::Utcb* utcb) {
    const std::size_t chunk = utcb ? max_write : register_write;
    WriteResult total{abi::Error::ok, Status::ok, 0};
    do {
        const std::size_t n = length - total.written < chunk ? length - total.written : chunk;
        std::uint64_t words[abi::msg::max_words];
        pack(text + total.written, n, words);
        const unsigned count = words_for(n);
        for (unsigned w = abi::msg::register_words; w < count; ++w) utcb->mr[w] = words[w];
        auto r = user::sys::ipc_call(ep, abi::msg::info(label_write, count), abi::timeout_never, words[0],
                                     count > 1 ? words[1] : 0, count > 2 ? words[2] : 0);
        if (r.error != abi::Error::ok) return {r.error, Status::ok, total.written};
        const auto status = static_cast<Status>(abi::msg::label(r.info));
        total.written += status == Status::ok ? n : (r.w0 < n ? r.w0 : n);
        if (status != Status::ok) return {abi::Error::ok, status, total.written};
    } while (total.written < length);
    return total;
}

} // namespace detail

/// Writes `length` bytes through console endpoint `ep`, 16 bytes per call: needs no UTCB, so any thread can
/// use it. Stops at the first failure.
inline WriteResult write(user::Sel ep, const char* text, std::size_t length) {
    return detail::chunked(ep, text, length, nullptr);
}

/// The same, max_write bytes per call, words 3.. through the calling thread's UTCB `utcb`.
inline WriteResult write(user::Sel ep, const char* text, std::size_t length, abi::Utcb& utcb) {
    return detail::chunked(ep, text, length, &utcb);
}

} // namespace janus::console
