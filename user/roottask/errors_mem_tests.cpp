// Every documented error of the memory syscalls (mem_map, mem_unmap) and of debug_write, reached from ring
// 3 (docs/abi.md). mem_map is all or nothing: a map that fails on its last page maps none (the first
// destination page is still free afterwards), and the receiving domain, which pays, is charged nothing.
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/checks.hpp"
#include "user/roottask/env.hpp"
#include "user/roottask/scratch.hpp"

using namespace janus::user;
using janus::abi::Error;
namespace R = janus::abi::rights;
namespace fpage = janus::abi::fpage;
using janus::abi::user_end;
using roottask::scratch;

namespace {

constexpr Word huge = ~Word{0};
constexpr Word page = 4096;
constexpr Word kernel_address = 0xffff'8000'0000'0000;
constexpr Word non_canonical = 0x0000'9000'0000'0000;
constexpr Vaddr nowhere = 0x2200'0000;  // never mapped in the root's space
constexpr Vaddr child_at = 0x2300'0000; // where these tests map into a child

/// A page of the root's own text: mapped read/execute (docs/abi.md: never W with X).
Vaddr text_page() {
    return reinterpret_cast<Vaddr>(&roottask::take_pages) & ~(page - 1);
}

} // namespace

JANUS_TEST(mem_map_flexpage_errors_from_ring3) {
    REQUIRE_BOOT();
    const Vaddr p = roottask::take_pages(2);
    const Fpage good = fpage::make(p, 12, R::read);
    CHECK_EQ(sys::pd_create(scratch(0), 64 * 1024, 4).error, Error::ok);
    CHECK_FAILS(sys::mem_map(good | fpage::reserved_mask, scratch(0), child_at, 0), Error::bad_flexpage);
    CHECK_FAILS(sys::mem_map(good | 0x200, scratch(0), child_at, 0), Error::bad_flexpage); // one reserved bit
    for (unsigned order : {0u, 11u, 22u, 40u, 63u})
        CHECK_FAILS(sys::mem_map(fpage::make(p, order, R::read), scratch(0), child_at, 0),
                    Error::bad_flexpage);
    // Base not aligned to 2^order (the pool's pages are, to 4 KiB at least; p + 4 KiB is not 16 KiB aligned
    // whenever p is, and otherwise p is not).
    const Vaddr odd = (p & 0x3fff) ? p : p + page;
    CHECK_FAILS(sys::mem_map(fpage::make(odd, 14, R::read), scratch(0), child_at, 0), Error::bad_flexpage);
    // Decoding comes first: a bad flexpage wins over a bad selector.
    CHECK_FAILS(sys::mem_map(fpage::make(p, 11, R::read), Sel{0}, kernel_address, 0), Error::bad_flexpage);
    // Nothing was mapped: the child's first page maps once now.
    CHECK_EQ(sys::mem_map(good, scratch(0), child_at, 0).error, Error::ok);
    roottask::clear_scratch(1);
}

JANUS_TEST(mem_map_selector_and_flag_errors_from_ring3) {
    REQUIRE_BOOT();
    const Vaddr p = roottask::take_pages(1);
    const Fpage good = fpage::make(p, 12, R::read);
    const Sel child = scratch(0), no_control = scratch(1), ep = scratch(2);
    CHECK_EQ(sys::pd_create(child, 64 * 1024, 4).error, Error::ok);
    CHECK_EQ(sys::cap_copy(child, root::own_pd, no_control, R::all & ~R::control, 0).error, Error::ok);
    CHECK_EQ(sys::endpoint_create(ep).error, Error::ok);
    CHECK_FAILS(sys::mem_map(good, child, child_at, 2), Error::invalid_argument);
    CHECK_FAILS(sys::mem_map(good, child, child_at, huge), Error::invalid_argument);
    CHECK_FAILS(sys::mem_map(good, Sel{0}, child_at, 0), Error::bad_selector);
    CHECK_FAILS(sys::mem_map(good, scratch(9), child_at, 0), Error::bad_selector);
    CHECK_FAILS(sys::mem_map(good, ep, child_at, 0), Error::wrong_type);
    CHECK_FAILS(sys::mem_map(good, root::own_thread, child_at, 0), Error::wrong_type);
    CHECK_FAILS(sys::mem_map(good, no_control, child_at, 0), Error::missing_rights);
    CHECK_EQ(sys::mem_map(good, child, child_at, 0).error, Error::ok);
    roottask::clear_scratch(3);
}

JANUS_TEST(mem_map_address_errors_from_ring3) {
    REQUIRE_BOOT();
    const Vaddr p = roottask::take_pages(1);
    const Fpage good = fpage::make(p, 12, R::read);
    const Sel child = scratch(0);
    CHECK_EQ(sys::pd_create(child, 64 * 1024, 4).error, Error::ok);
    CHECK_FAILS(sys::mem_map(fpage::make(kernel_address, 12, R::read), child, child_at, 0),
                Error::bad_address);
    CHECK_FAILS(sys::mem_map(fpage::make(non_canonical, 21, R::read), child, child_at, 0),
                Error::bad_address);
    CHECK_FAILS(sys::mem_map(fpage::make(user_end, 12, R::read), child, child_at, 0), Error::bad_address);
    CHECK_FAILS(sys::mem_map(good, child, user_end, 0), Error::bad_address);
    CHECK_FAILS(sys::mem_map(good, child, kernel_address, 0), Error::bad_address);
    CHECK_FAILS(sys::mem_map(good, child, non_canonical, 0), Error::bad_address);
    CHECK_FAILS(sys::mem_map(good, child, child_at + 8, 0), Error::bad_address); // not page aligned
    CHECK_FAILS(sys::mem_map(good, child, huge & ~(page - 1), 0), Error::bad_address);
    // A 2 MiB flexpage whose destination range crosses the user boundary.
    CHECK_FAILS(sys::mem_map(fpage::make(0x4000'0000, 21, R::read), child, user_end - page, 0),
                Error::bad_address);
    CHECK_EQ(sys::mem_map(good, child, child_at, 0).error, Error::ok);
    roottask::clear_scratch(1);
}

JANUS_TEST(mem_map_page_state_errors_from_ring3) {
    REQUIRE_BOOT();
    const Vaddr p = roottask::take_pages(4);
    const Sel child = scratch(0);
    CHECK_EQ(sys::pd_create(child, 64 * 1024, 4).error, Error::ok);
    // Source pages that are not mapped.
    CHECK_FAILS(sys::mem_map(fpage::make(nowhere, 12, R::read), child, child_at, 0), Error::not_mapped);
    CHECK_FAILS(sys::mem_map(fpage::make(0, 12, R::read), child, child_at, 0), Error::not_mapped);
    // Rights the source page lacks: text is not writable; the root's UTCB is not delegable at all.
    CHECK_FAILS(sys::mem_map(fpage::make(text_page(), 12, R::read | R::write), child, child_at, 0),
                Error::missing_rights);
    CHECK_FAILS(sys::mem_map(fpage::make(janus::abi::root_mem::utcb, 12, R::read), child, child_at, 0),
                Error::missing_rights);
    // A destination page already mapped: the whole map fails, even its free first page.
    const Vaddr pair = (p + 0x1fff) & ~Vaddr{0x1fff}; // an 8 KiB-aligned pair among the four pages
    CHECK_EQ(sys::mem_map(fpage::make(pair + page, 12, R::read), child, child_at + page, 0).error, Error::ok);
    CHECK_FAILS(sys::mem_map(fpage::make(pair, 13, R::read), child, child_at, 0), Error::mapping_conflict);
    CHECK_EQ(sys::mem_map(fpage::make(pair, 12, R::read), child, child_at, 0).error, Error::ok); // was free
    CHECK_FAILS(sys::mem_map(fpage::make(pair, 12, R::read), child, child_at, 0), Error::mapping_conflict);
    roottask::clear_scratch(1);
}

JANUS_TEST(mem_map_quota_exhausted_when_the_receiver_cannot_pay) {
    REQUIRE_BOOT();
    const Vaddr p = roottask::take_pages(1);
    const Sel poor = scratch(0), rich = scratch(1);
    CHECK_EQ(sys::pd_create(poor, 0, 4).error, Error::ok); // no quota for nodes or page tables
    CHECK_FAILS(sys::mem_map(fpage::make(p, 12, R::read), poor, child_at, 0), Error::quota_exhausted);
    // Another domain with quota takes the same page at the same address: the failure left nothing behind.
    CHECK_EQ(sys::pd_create(rich, 64 * 1024, 4).error, Error::ok);
    CHECK_EQ(sys::mem_map(fpage::make(p, 12, R::read), rich, child_at, 0).error, Error::ok);
    // The root's own mapping is untouched by both.
    CHECK_EQ(*reinterpret_cast<volatile Word*>(p), Word{0});
    roottask::clear_scratch(2);
}

JANUS_TEST(mem_unmap_errors_from_ring3) {
    REQUIRE_BOOT();
    const Vaddr p = roottask::take_pages(1);
    auto* word = reinterpret_cast<volatile Word*>(p);
    *word = 0x5a5a;
    CHECK_FAILS(sys::mem_unmap(fpage::make(p, 12, R::read), 1), Error::bad_flexpage); // rights bits set
    CHECK_FAILS(sys::mem_unmap(fpage::make(p, 12, 0) | 0x400, 1), Error::bad_flexpage);
    CHECK_FAILS(sys::mem_unmap(fpage::make(p, 11, 0), 1), Error::bad_flexpage);
    CHECK_FAILS(sys::mem_unmap(fpage::make(p, 22, 0), 1), Error::bad_flexpage);
    CHECK_FAILS(sys::mem_unmap(fpage::make(p | 0x1000, 13, 0), 1), Error::bad_flexpage); // misaligned base
    CHECK_FAILS(sys::mem_unmap(fpage::make(p, 12, 0), 2), Error::invalid_argument);
    CHECK_FAILS(sys::mem_unmap(fpage::make(p, 12, 0), huge), Error::invalid_argument);
    CHECK_FAILS(sys::mem_unmap(fpage::make(kernel_address, 12, 0), 1), Error::bad_address);
    CHECK_FAILS(sys::mem_unmap(fpage::make(non_canonical, 21, 0), 1), Error::bad_address);
    CHECK_FAILS(sys::mem_unmap(fpage::make(user_end, 12, 0), 0), Error::bad_address);
    // Unmapping what is not mapped is no error.
    CHECK_EQ(sys::mem_unmap(fpage::make(nowhere, 21, 0), 1).error, Error::ok);
    CHECK_EQ(*word, Word{0x5a5a}); // every refusal left the page mapped
}

JANUS_TEST(debug_write_errors_from_ring3) {
    REQUIRE_BOOT();
    static const char text[] = "debug_write_errors_from_ring3: this line is expected\n";
    const Word max = janus::abi::debug_write_max;
    CHECK_FAILS(sys::debug_write(reinterpret_cast<Word>(text), max + 1), Error::invalid_argument);
    CHECK_FAILS(sys::debug_write(reinterpret_cast<Word>(text), huge), Error::invalid_argument);
    // The length is checked first: a bad buffer with a bad length is invalid_argument.
    CHECK_FAILS(sys::debug_write(kernel_address, max + 1), Error::invalid_argument);
    CHECK_FAILS(sys::debug_write(kernel_address, 1), Error::bad_address);
    CHECK_FAILS(sys::debug_write(non_canonical, 1), Error::bad_address);
    CHECK_FAILS(sys::debug_write(user_end - 8, 16), Error::bad_address); // crosses the boundary
    CHECK_FAILS(sys::debug_write(huge, 1), Error::bad_address);
    // Every page the bytes lie on must be mapped: one unmapped byte at either end is enough.
    CHECK_FAILS(sys::debug_write(nowhere, 1), Error::not_mapped);
    const Vaddr p = roottask::take_pages(2);
    CHECK_EQ(sys::mem_unmap(fpage::make(p + page, 12, 0), 1).error, Error::ok); // the root's own mapping too
    CHECK_FAILS(sys::debug_write(p + page - 1, 2), Error::not_mapped);
    CHECK_FAILS(sys::debug_write(p + page, max), Error::not_mapped);
    // Nothing at all to write is fine wherever it is, as long as it is user space.
    CHECK_EQ(sys::debug_write(nowhere, 0).error, Error::ok);
    CHECK_FAILS(sys::debug_write(kernel_address, 0), Error::bad_address);
    CHECK_EQ(sys::debug_write(reinterpret_cast<Word>(text), sizeof text - 1).error, Error::ok);
}
