// debug_write: user text onto the kernel's console.
//
// The buffer is read through the caller's own mappings: each page is looked up in the domain's mapping index
// (which the invariant checker holds equal to its page table) and its frame is read through the kernel's
// physical-memory window. The kernel never dereferences an address user space names, so a kernel address, an
// unmapped page or a page another CPU unmaps meanwhile (impossible under the kernel lock anyway) cannot make
// it touch anything but the caller's own frames.
#include <cstddef>

#include "kernel/abi/flexpage.hpp"
#include "kernel/kernel.hpp"
#include "kernel/lib/print.hpp"
#include "kernel/mapdb/node.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/syscall/call.hpp"

namespace kernel {

namespace spec = janus::abi;
using enum janus::abi::Error;
using janus::abi::user_range;

namespace {

using janus::abi::page_bytes;

/// The node that makes page `page` of `pd` readable, or nullptr.
const mapdb::Node* readable_page(const Pd& pd, std::uint64_t page) {
    const mapdb::Node* n = pd.memory.index.find(page);
    return n && (n->rights & spec::rights::read) ? n : nullptr;
}

/// What the console shows for a user byte: printable ASCII, newline and tab as they are, anything else '?'
/// (no escape sequence or control code of user space reaches the terminal).
char shown(char c) {
    auto u = static_cast<unsigned char>(c);
    return (u >= 0x20 && u < 0x7f) || c == '\n' || c == '\t' ? c : '?';
}

} // namespace

Error sys_debug_write(Call& call) {
    const std::uint64_t buffer = call.arg[0], length = call.arg[1];
    if (length > spec::debug_write_max) return invalid_argument;
    if (!user_range(buffer, length)) return bad_address;
    if (length == 0) return ok;

    const std::uint64_t first = buffer & ~(page_bytes - 1), last = (buffer + length - 1) & ~(page_bytes - 1);
    for (std::uint64_t page = first;; page += page_bytes) {
        if (!readable_page(call.pd, page)) return not_mapped;
        if (page == last) break;
    }

    char chunk[128];
    std::size_t used = 0;
    for (std::uint64_t va = buffer, end = buffer + length; va < end;) {
        const std::uint64_t page = va & ~(page_bytes - 1);
        const auto* bytes =
            static_cast<const char*>(call.kernel.kmem.at_physical(readable_page(call.pd, page)->frame));
        const std::uint64_t stop = end - page < page_bytes ? end - page : page_bytes;
        for (std::uint64_t off = va - page; off < stop; ++off) {
            chunk[used++] = shown(bytes[off]);
            if (used == sizeof chunk) {
                put(console(), StringView(chunk, used));
                used = 0;
            }
        }
        va = page + stop;
    }
    if (used) put(console(), StringView(chunk, used));
    return ok;
}

} // namespace kernel
