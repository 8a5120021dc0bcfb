// The IPC part of the ABI beyond registers (docs/ipc.md): message info words, the UTCB layout, typed items,
// timeouts and the labels of kernel-made messages. Freestanding, shared by the kernel and user space.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/abi/abi.hpp"

namespace janus::abi {

/// Timeouts (ns). 0 never waits (the call fails with would_block if it would have to); all ones waits
/// forever.
inline constexpr std::uint64_t timeout_poll = 0;
inline constexpr std::uint64_t timeout_never = ~std::uint64_t{0};

/// The message info word: what a message holds and its label.
///   bits 0..6    untyped words (0 .. max_words)
///   bits 7..10   typed items (0 .. max_items)
///   bit  11      received only: a reply capability for this call was put at the receiver's reply_sel
///   bits 12..15  reserved, 0 when sending
///   bits 16..63  label: free for the sender (kernel-made messages use the labels in `label`)
namespace msg {
inline constexpr unsigned max_words = 64;
inline constexpr unsigned max_items = 8;
inline constexpr unsigned register_words = 3; ///< words 0..2 travel in registers, the rest in the UTCB
inline constexpr std::uint64_t words_mask = 0x7f;
inline constexpr unsigned items_shift = 7;
inline constexpr std::uint64_t items_mask = 0xf;
inline constexpr std::uint64_t call_flag = std::uint64_t{1} << 11;
inline constexpr std::uint64_t reserved_mask = 0xf000;
inline constexpr unsigned label_shift = 16;

constexpr std::uint64_t info(std::uint64_t label, unsigned words, unsigned items = 0) {
    return label << label_shift | std::uint64_t{items} << items_shift | words;
}
constexpr unsigned words(std::uint64_t i) {
    return static_cast<unsigned>(i & words_mask);
}
constexpr unsigned items(std::uint64_t i) {
    return static_cast<unsigned>(i >> items_shift & items_mask);
}
constexpr std::uint64_t label(std::uint64_t i) {
    return i >> label_shift;
}
} // namespace msg

/// Labels of the messages the kernel sends on a thread's behalf (a user sender may use them too: a receiver
/// trusts the badge, never the label).
namespace label {
inline constexpr std::uint64_t page_fault = 0xffff'ffff'fff0; ///< words: address, access (#PF error code), ip
inline constexpr std::uint64_t exception = 0xffff'ffff'fff1;  ///< words: vector, error code, ip, sp
} // namespace label

/// Typed items: two words each, in Utcb::item. Word 0 describes, word 1 names the source.
///   word 0 bits 0..1  kind (cap_item or memory_item)
///          bit 2      grant: move instead of copy
///          bits 3..7  cap items: the rights the receiver's copy gets (a subset of the source's)
///          bits 8..11 reserved, 0
///          bits 12..63 memory items: the page-aligned offset into the receiver's memory window
///   word 1            cap items: the selector; memory items: a flexpage in the sender's space
/// On receipt the kernel rewrites the receiver's items: word 0 as sent, word 1 the selector the capability
/// landed at (cap) or the address the memory landed at (memory).
namespace item {
inline constexpr std::uint64_t kind_mask = 0x3;
inline constexpr std::uint64_t cap_item = 1;
inline constexpr std::uint64_t memory_item = 2;
inline constexpr std::uint64_t grant = 0x4;
inline constexpr unsigned rights_shift = 3;
inline constexpr std::uint64_t rights_mask = 0x1f;
inline constexpr std::uint64_t reserved_mask = 0xf00;
inline constexpr std::uint64_t offset_mask = ~std::uint64_t{0xfff};

constexpr std::uint64_t cap(std::uint64_t rights, bool grant_it = false) {
    return cap_item | (grant_it ? grant : 0) | (rights & rights_mask) << rights_shift;
}
constexpr std::uint64_t memory(std::uint64_t offset, bool grant_it = false) {
    return memory_item | (grant_it ? grant : 0) | (offset & offset_mask);
}
} // namespace item

/// The UTCB: one page per thread, shared between the thread and the kernel.
struct Utcb {
    std::uint64_t mr[msg::max_words];       ///< message words; 0..2 travel in registers and are not read here
    std::uint64_t item[2 * msg::max_items]; ///< typed items to send; received items are reported here
    std::uint64_t reply_sel;                ///< receiving: where the reply capability of a call goes
    std::uint64_t cap_window; ///< receiving: capabilities land at selectors base .. base+count-1,
                              ///< base in bits 0..31, count in bits 32..39 (0: none accepted)
    std::uint64_t mem_window; ///< receiving: a flexpage where memory items land (0: none)
};
static_assert(sizeof(Utcb) <= page_bytes);

namespace window {
constexpr std::uint64_t caps(std::uint64_t base, std::uint64_t count) {
    return (base & 0xffff'ffff) | (count & 0xff) << 32;
}
constexpr std::uint64_t cap_base(std::uint64_t w) {
    return w & 0xffff'ffff;
}
constexpr std::uint64_t cap_count(std::uint64_t w) {
    return w >> 32 & 0xff;
}
} // namespace window

} // namespace janus::abi
