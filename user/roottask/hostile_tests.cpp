// Hostile arguments: forged selectors, reserved bits, kernel addresses. Each call has exactly one thing
// wrong, so the error the specification names for it is the only right answer.
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/scratch.hpp"

using namespace janus::user;
using janus::abi::Error;
namespace rights = janus::abi::rights;
namespace fpage = janus::abi::fpage;
using janus::abi::user_end;
using roottask::scratch;

namespace {

/// A page of the root task's own data, so flexpages naming it are otherwise valid.
alignas(4096) char own_page[4096] = {1};

Vaddr own_page_address() {
    return reinterpret_cast<Vaddr>(own_page);
}

} // namespace

JANUS_TEST(forged_selectors) {
    for (std::uint64_t s : {std::uint64_t{1} << 20, std::uint64_t{1} << 32, ~std::uint64_t{0}}) {
        CHECK_EQ(sys::cap_info(Sel{s}).error, Error::bad_selector);
        CHECK_EQ(sys::cap_delete(Sel{s}).error, Error::bad_selector);
        CHECK_EQ(sys::endpoint_create(Sel{s}).error, Error::bad_selector);
    }
}

JANUS_TEST(reserved_rights_bits) {
    CHECK_EQ(sys::endpoint_create(scratch(0)).error, Error::ok);
    CHECK_EQ(sys::cap_copy(scratch(0), root::own_pd, scratch(1), rights::all | rights::all << 5, 0).error,
             Error::invalid_argument);
    CHECK_EQ(sys::cap_info(scratch(1)).error, Error::bad_selector);
    roottask::clear_scratch(2);
}

JANUS_TEST(badge_where_none_is_allowed) {
    // Only endpoint capabilities carry badges.
    CHECK_EQ(sys::cap_copy(root::own_pd, root::own_pd, scratch(0), rights::read, 7).error,
             Error::invalid_argument);
    CHECK_EQ(sys::cap_info(scratch(0)).error, Error::bad_selector);
}

JANUS_TEST(flexpage_reserved_bits_and_order) {
    Fpage good = fpage::make(own_page_address(), 12, rights::read);
    Vaddr dest = own_page_address() + 0x100000;
    CHECK_EQ(sys::mem_map(good | fpage::reserved_mask, root::own_pd, dest, 0).error, Error::bad_flexpage);
    CHECK_EQ(sys::mem_map(fpage::make(own_page_address(), 11, rights::read), root::own_pd, dest, 0).error,
             Error::bad_flexpage);
    CHECK_EQ(sys::mem_map(fpage::make(own_page_address(), 22, rights::read), root::own_pd, dest, 0).error,
             Error::bad_flexpage);
    // mem_unmap takes no rights in its flexpage.
    CHECK_EQ(sys::mem_unmap(good, 0).error, Error::bad_flexpage);
}

JANUS_TEST(kernel_addresses_are_refused) {
    Fpage good = fpage::make(own_page_address(), 12, rights::read);
    // Source in the kernel half.
    CHECK_EQ(sys::mem_map(fpage::make(0xffffffff80000000, 12, rights::read), root::own_pd,
                          own_page_address() + 0x100000, 0)
                 .error,
             Error::bad_address);
    // Destination at and above the user boundary.
    CHECK_EQ(sys::mem_map(good, root::own_pd, user_end, 0).error, Error::bad_address);
    CHECK_EQ(sys::mem_map(good, root::own_pd, 0xffff800000000000, 0).error, Error::bad_address);
    // A UTCB in kernel space.
    CHECK_EQ(sys::thread_create(scratch(0), root::own_pd, 0xffff800000000000, 10, 0).error,
             Error::bad_address);
    CHECK_EQ(sys::cap_info(scratch(0)).error, Error::bad_selector);
}

JANUS_TEST(thread_create_ranges) {
    Vaddr utcb = own_page_address() + 0x200000;
    CHECK_EQ(sys::thread_create(scratch(0), root::own_pd, utcb, 256, 0).error, Error::invalid_argument);
    CHECK_EQ(sys::thread_create(scratch(0), root::own_pd, utcb, 10, 1u << 20).error, Error::invalid_argument);
    CHECK_EQ(sys::cap_info(scratch(0)).error, Error::bad_selector);
}
