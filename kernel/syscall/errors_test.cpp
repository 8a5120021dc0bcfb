// Every documented error of every syscall, reached through the real dispatcher on a fresh kernel.
//
// One table of scenarios (kernel/syscall/testing/scenarios.hpp; other parts of the kernel register theirs)
// drives two things: a GoogleTest case per scenario (Errors/Scenarios.Returns/<name>), and ErrorCoverage,
// which runs the whole table in one process and fails if some (syscall, error) pair the spec lists is reached
// by no scenario. Each scenario also checks that the failing call changed nothing (the kernel state snapshot
// is identical) and left every register but rax as user space set it; the TestKernel observer checks the
// status is listed for the syscall and runs the invariant checker.
//
// Expected errors follow docs/abi.md (error lists and checking order), not the kernel's code.
#include <functional>
#include <gtest/gtest.h>
#include <set>
#include <string>
#include <vector>

#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"
#include "kernel/syscall/testing/scenarios.hpp"
#include "kernel/syscall/testing/test_kernel.hpp"

namespace {

using namespace kernel;
using kernel::testing::Invocation;
using kernel::testing::Options;
using kernel::testing::Outcome;
using kernel::testing::Scenario;
using kernel::testing::TestKernel;
namespace spec = janus::abi;
namespace R = spec::rights;
using S = spec::Syscall;
using E = spec::Error;
using Args = std::vector<std::uint64_t>;

constexpr std::uint64_t all = R::all;
constexpr std::uint64_t root_pd = spec::root_sel::pd, root_thread = spec::root_sel::thread,
                        irq_control = spec::root_sel::irq_control, io_control = spec::root_sel::io_control,
                        mmio_control = spec::root_sel::mmio_control;
constexpr std::uint64_t kernel_address = 0xffff'8000'0000'0000;
constexpr std::uint64_t huge = ~std::uint64_t{0};
constexpr std::uint64_t root_size = 256; // Options{}.cap_order = 8

std::uint64_t num(S s) {
    return static_cast<std::uint64_t>(s);
}

/// A copy of root selector `src` at root selector `dest` with `rights`.
void copy(TestKernel& k, std::uint64_t src, std::uint64_t dest, std::uint64_t rights,
          std::uint64_t badge = 0) {
    k.ok(S::cap_copy, {src, root_pd, dest, rights, badge});
}

/// The scenarios of the object and capability syscalls and of bad syscall numbers.
std::vector<Scenario> core_scenarios() {
    std::vector<Scenario> v;
    auto add = [&](std::string name, S s, E e, std::function<Invocation(TestKernel&)> setup, Options o = {}) {
        v.push_back(Scenario{std::move(name), num(s), e, std::move(setup), o});
    };
    auto plain = [](Args a) { return [a](TestKernel&) { return Invocation{nullptr, a}; }; };
    Options small_quota;
    small_quota.quota = 100;
    Options page_quota;
    page_quota.quota = 4096;

    // ---- pd_create(dest, quota, cap_order)
    add("pd_create_bad_selector_zero", S::pd_create, E::bad_selector, plain({0, 0, 4}));
    add("pd_create_bad_selector_beyond_space", S::pd_create, E::bad_selector, plain({root_size, 0, 4}));
    add("pd_create_bad_selector_huge", S::pd_create, E::bad_selector, plain({huge, 0, 4}));
    add("pd_create_slot_occupied", S::pd_create, E::slot_occupied, plain({root_thread, 0, 4}));
    add("pd_create_invalid_argument_order_3", S::pd_create, E::invalid_argument, plain({10, 0, 3}));
    add("pd_create_invalid_argument_order_13", S::pd_create, E::invalid_argument, plain({10, 0, 13}));
    add("pd_create_invalid_argument_before_bad_selector", S::pd_create, E::invalid_argument,
        plain({0, 0, 99}));
    add("pd_create_quota_exhausted_whole_limit", S::pd_create, E::quota_exhausted, plain({10, 1 << 20, 4}));
    add("pd_create_quota_exhausted_huge_quota", S::pd_create, E::quota_exhausted, plain({10, huge, 4}));
    add("pd_create_slot_occupied_before_quota", S::pd_create, E::slot_occupied, plain({root_pd, huge, 4}));
    add("pd_create_quota_exhausted_no_memory_left", S::pd_create, E::quota_exhausted, [](TestKernel& k) {
        k.pages().set_limit(k.pages().outstanding());
        return Invocation{nullptr, {10, 0, 4}};
    });

    // ---- thread_create(dest, pd, utcb, prio, cpu)
    add("thread_create_bad_selector_dest_zero", S::thread_create, E::bad_selector,
        plain({0, root_pd, 0x2000, 0, 0}));
    add("thread_create_bad_selector_pd_empty", S::thread_create, E::bad_selector,
        plain({10, 200, 0x2000, 0, 0}));
    add("thread_create_bad_selector_pd_huge", S::thread_create, E::bad_selector,
        plain({10, 1ull << 40, 0x2000, 0, 0}));
    add("thread_create_slot_occupied", S::thread_create, E::slot_occupied,
        plain({irq_control, root_pd, 0x2000, 0, 0}));
    add("thread_create_wrong_type", S::thread_create, E::wrong_type, plain({10, root_thread, 0x2000, 0, 0}));
    add("thread_create_missing_rights", S::thread_create, E::missing_rights, [](TestKernel& k) {
        copy(k, root_pd, 20, all & ~R::control);
        return Invocation{nullptr, {10, 20, 0x2000, 0, 0}};
    });
    add("thread_create_bad_address_unaligned", S::thread_create, E::bad_address,
        plain({10, root_pd, 0x2001, 0, 0}));
    add("thread_create_bad_address_kernel", S::thread_create, E::bad_address,
        plain({10, root_pd, kernel_address, 0, 0}));
    add("thread_create_bad_address_at_boundary", S::thread_create, E::bad_address,
        plain({10, root_pd, spec::user_end, 0, 0}));
    add("thread_create_bad_address_non_canonical", S::thread_create, E::bad_address,
        plain({10, root_pd, 0x0000'9000'0000'0000, 0, 0}));
    add("thread_create_mapping_conflict_utcb_in_use", S::thread_create, E::mapping_conflict,
        plain({10, root_pd, Options{}.root_utcb, 0, 0}));
    add("thread_create_invalid_argument_priority", S::thread_create, E::invalid_argument,
        plain({10, root_pd, 0x2000, 256, 0}));
    add("thread_create_invalid_argument_cpu", S::thread_create, E::invalid_argument,
        plain({10, root_pd, 0x2000, 0, Options{}.cpus}));
    add("thread_create_invalid_argument_before_everything", S::thread_create, E::invalid_argument,
        plain({0, 200, 0x2001, huge, 0}));
    add("thread_create_quota_exhausted", S::thread_create, E::quota_exhausted,
        plain({10, root_pd, 0x2000, 0, 0}), page_quota);
    add("thread_create_bad_address_before_quota", S::thread_create, E::bad_address,
        plain({10, root_pd, 0x2001, 0, 0}), page_quota);

    // ---- thread_configure(thread, pager, exception)
    add("thread_configure_bad_selector_thread", S::thread_configure, E::bad_selector, plain({200, 0, 0}));
    add("thread_configure_bad_selector_pager", S::thread_configure, E::bad_selector,
        plain({root_thread, 200, 0}));
    add("thread_configure_bad_selector_exception", S::thread_configure, E::bad_selector,
        plain({root_thread, 0, 200}));
    add("thread_configure_bad_selector_before_wrong_type", S::thread_configure, E::bad_selector,
        plain({root_pd, 200, 0}));
    add("thread_configure_wrong_type_thread", S::thread_configure, E::wrong_type, plain({root_pd, 0, 0}));
    add("thread_configure_wrong_type_pager", S::thread_configure, E::wrong_type,
        plain({root_thread, root_pd, 0}));
    add("thread_configure_wrong_type_exception", S::thread_configure, E::wrong_type, [](TestKernel& k) {
        k.ok(S::endpoint_create, {10});
        return Invocation{nullptr, {root_thread, 10, irq_control}};
    });
    add("thread_configure_missing_rights", S::thread_configure, E::missing_rights, [](TestKernel& k) {
        copy(k, root_thread, 20, all & ~R::control);
        return Invocation{nullptr, {20, 0, 0}};
    });

    // ---- endpoint_create(dest), notification_create(dest)
    for (S s : {S::endpoint_create, S::notification_create}) {
        std::string n = s == S::endpoint_create ? "endpoint_create" : "notification_create";
        add(n + "_bad_selector_zero", s, E::bad_selector, plain({0}));
        add(n + "_bad_selector_beyond_space", s, E::bad_selector, plain({root_size}));
        add(n + "_slot_occupied", s, E::slot_occupied, plain({root_pd}));
        add(n + "_quota_exhausted", s, E::quota_exhausted, plain({10}), small_quota);
    }

    // ---- irq_create(dest, control, line)
    add("irq_create_bad_selector_control", S::irq_create, E::bad_selector, plain({10, 200, 0}));
    add("irq_create_bad_selector_dest", S::irq_create, E::bad_selector, plain({0, irq_control, 0}));
    add("irq_create_slot_occupied", S::irq_create, E::slot_occupied, plain({root_pd, irq_control, 0}));
    add("irq_create_wrong_type", S::irq_create, E::wrong_type, plain({10, root_pd, 0}));
    add("irq_create_missing_rights", S::irq_create, E::missing_rights, [](TestKernel& k) {
        copy(k, irq_control, 20, all & ~R::control);
        return Invocation{nullptr, {10, 20, 0}};
    });
    add("irq_create_invalid_argument_line", S::irq_create, E::invalid_argument,
        plain({10, irq_control, spec::irq_lines}));
    add("irq_create_invalid_argument_line_taken", S::irq_create, E::invalid_argument, [](TestKernel& k) {
        k.ok(S::irq_create, {10, irq_control, 5});
        return Invocation{nullptr, {11, irq_control, 5}};
    });
    add("irq_create_quota_exhausted", S::irq_create, E::quota_exhausted, plain({10, irq_control, 0}),
        small_quota);

    // ---- io_create(dest, io_control, first, count)
    add("io_create_invalid_argument_empty", S::io_create, E::invalid_argument,
        plain({10, io_control, 0x60, 0}));
    add("io_create_invalid_argument_first", S::io_create, E::invalid_argument,
        plain({10, io_control, spec::io_ports, 1}));
    add("io_create_invalid_argument_past_the_end", S::io_create, E::invalid_argument,
        plain({10, io_control, spec::io_ports - 1, 2}));
    add("io_create_invalid_argument_wrapping", S::io_create, E::invalid_argument,
        plain({10, io_control, 16, huge}));
    add("io_create_invalid_argument_before_selectors", S::io_create, E::invalid_argument,
        plain({0, 200, 0, 0}));
    add("io_create_bad_selector_control", S::io_create, E::bad_selector, plain({10, 200, 0x60, 1}));
    add("io_create_bad_selector_dest", S::io_create, E::bad_selector, plain({0, io_control, 0x60, 1}));
    add("io_create_slot_occupied", S::io_create, E::slot_occupied, plain({root_pd, io_control, 0x60, 1}));
    add("io_create_wrong_type", S::io_create, E::wrong_type, plain({10, irq_control, 0x60, 1}));
    add("io_create_missing_rights", S::io_create, E::missing_rights, [](TestKernel& k) {
        copy(k, io_control, 20, all & ~R::control);
        return Invocation{nullptr, {10, 20, 0x60, 1}};
    });
    add("io_create_quota_exhausted", S::io_create, E::quota_exhausted, plain({10, io_control, 0x60, 1}),
        small_quota);

    // ---- mmio_create(dest, mmio_control, phys, pages, type) on the test machine (testing/test_machine.hpp)
    constexpr std::uint64_t vga = 0xb'8000, uc = spec::mmio_uncached, wc = spec::mmio_write_combining;
    add("mmio_create_invalid_argument_type", S::mmio_create, E::invalid_argument,
        plain({10, mmio_control, vga, 1, 2}));
    add("mmio_create_invalid_argument_misaligned", S::mmio_create, E::invalid_argument,
        plain({10, mmio_control, vga + 1, 1, uc}));
    add("mmio_create_invalid_argument_empty", S::mmio_create, E::invalid_argument,
        plain({10, mmio_control, vga, 0, uc}));
    add("mmio_create_invalid_argument_wrapping", S::mmio_create, E::invalid_argument,
        plain({10, mmio_control, vga, huge, uc}));
    add("mmio_create_invalid_argument_past_the_limit", S::mmio_create, E::invalid_argument,
        plain({10, mmio_control, spec::mmio_phys_limit, 1, uc}));
    add("mmio_create_invalid_argument_before_selectors", S::mmio_create, E::invalid_argument,
        plain({0, 200, vga, 1, 7}));
    add("mmio_create_bad_selector_control", S::mmio_create, E::bad_selector, plain({10, 200, vga, 1, uc}));
    add("mmio_create_wrong_type", S::mmio_create, E::wrong_type, plain({10, io_control, vga, 1, uc}));
    add("mmio_create_missing_rights", S::mmio_create, E::missing_rights, [](TestKernel& k) {
        copy(k, mmio_control, 20, all & ~R::control);
        return Invocation{nullptr, {10, 20, vga, 1, uc}};
    });
    add("mmio_create_invalid_argument_ram", S::mmio_create, E::invalid_argument,
        plain({10, mmio_control, 0x10'0000, 1, uc}));
    add("mmio_create_invalid_argument_ends_in_ram", S::mmio_create, E::invalid_argument,
        plain({10, mmio_control, 0xf'f000, 2, uc}));
    add("mmio_create_invalid_argument_local_apic", S::mmio_create, E::invalid_argument,
        plain({10, mmio_control, 0xfee0'0000, 1, uc}));
    add("mmio_create_invalid_argument_ram_before_destination", S::mmio_create, E::invalid_argument,
        plain({root_pd, mmio_control, 0x1000, 1, uc}));
    add("mmio_create_invalid_argument_aliasing", S::mmio_create, E::invalid_argument, [](TestKernel& k) {
        k.ok(S::mmio_create, {10, mmio_control, vga, 2, uc});
        return Invocation{nullptr, {11, mmio_control, vga + 0x1000, 1, wc}};
    });
    add("mmio_create_bad_selector_dest", S::mmio_create, E::bad_selector,
        plain({0, mmio_control, vga, 1, uc}));
    add("mmio_create_slot_occupied", S::mmio_create, E::slot_occupied,
        plain({root_pd, mmio_control, vga, 1, uc}));
    add("mmio_create_quota_exhausted", S::mmio_create, E::quota_exhausted,
        plain({10, mmio_control, vga, 1, uc}), small_quota);

    // ---- mmio_map(mmio, pd, vaddr, offset, count, rights): an uncached object of 2 pages at 10
    auto device = [](Args a, std::uint64_t copy_rights = 0) {
        return [=](TestKernel& k) {
            k.ok(S::mmio_create, {10, mmio_control, vga, 2, uc});
            if (copy_rights) copy(k, 10, 11, copy_rights);
            return Invocation{nullptr, a};
        };
    };
    constexpr std::uint64_t va = 0x4000'0000;
    add("mmio_map_invalid_argument_exec", S::mmio_map, E::invalid_argument,
        device({10, root_pd, va, 0, 1, R::read | R::exec}));
    add("mmio_map_invalid_argument_no_read", S::mmio_map, E::invalid_argument,
        device({10, root_pd, va, 0, 1, R::write}));
    add("mmio_map_invalid_argument_empty", S::mmio_map, E::invalid_argument,
        device({10, root_pd, va, 0, 0, R::read}));
    add("mmio_map_invalid_argument_before_selectors", S::mmio_map, E::invalid_argument,
        device({200, 200, va, 0, 0, R::read}));
    add("mmio_map_bad_selector_mmio", S::mmio_map, E::bad_selector,
        device({200, root_pd, va, 0, 1, R::read}));
    add("mmio_map_bad_selector_pd", S::mmio_map, E::bad_selector, device({10, 200, va, 0, 1, R::read}));
    add("mmio_map_wrong_type_mmio", S::mmio_map, E::wrong_type,
        device({root_pd, root_pd, va, 0, 1, R::read}));
    add("mmio_map_wrong_type_pd", S::mmio_map, E::wrong_type, device({10, 10, va, 0, 1, R::read}));
    add("mmio_map_missing_rights_mmio", S::mmio_map, E::missing_rights,
        device({11, root_pd, va, 0, 1, R::read | R::write}, R::read | R::grant));
    add("mmio_map_missing_rights_pd", S::mmio_map, E::missing_rights, [](TestKernel& k) {
        k.ok(S::mmio_create, {10, mmio_control, vga, 2, uc});
        copy(k, root_pd, 20, all & ~R::control);
        return Invocation{nullptr, {10, 20, va, 0, 1, R::read}};
    });
    add("mmio_map_invalid_argument_offset", S::mmio_map, E::invalid_argument,
        device({10, root_pd, va, 2, 1, R::read}));
    add("mmio_map_invalid_argument_count", S::mmio_map, E::invalid_argument,
        device({10, root_pd, va, 1, 2, R::read}));
    add("mmio_map_invalid_argument_wrapping", S::mmio_map, E::invalid_argument,
        device({10, root_pd, va, 1, huge, R::read}));
    add("mmio_map_bad_address_misaligned", S::mmio_map, E::bad_address,
        device({10, root_pd, va + 8, 0, 1, R::read}));
    add("mmio_map_bad_address_kernel", S::mmio_map, E::bad_address,
        device({10, root_pd, kernel_address, 0, 1, R::read}));
    add("mmio_map_bad_address_crosses_user_end", S::mmio_map, E::bad_address,
        device({10, root_pd, spec::user_end - 0x1000, 0, 2, R::read}));
    add("mmio_map_mapping_conflict_utcb", S::mmio_map, E::mapping_conflict,
        device({10, root_pd, Options{}.root_utcb, 0, 1, R::read}));
    add("mmio_map_mapping_conflict_second_page", S::mmio_map, E::mapping_conflict, [](TestKernel& k) {
        k.ok(S::mmio_create, {10, mmio_control, vga, 2, uc});
        k.ok(S::mmio_map, {10, root_pd, va + 0x1000, 1, 1, R::read});
        return Invocation{nullptr, {10, root_pd, va, 0, 2, R::read}};
    });
    Options map_quota;
    map_quota.quota = 1024; // the object fits, the page tables do not
    add("mmio_map_quota_exhausted", S::mmio_map, E::quota_exhausted, device({10, root_pd, va, 0, 1, R::read}),
        map_quota);

    // ---- irq_bind(irq, notification, bit)
    auto irq_and_notification = [](TestKernel& k) {
        k.ok(S::irq_create, {10, irq_control, 1});
        k.ok(S::notification_create, {11});
    };
    auto bind = [irq_and_notification](Args a) {
        return [=](TestKernel& k) {
            irq_and_notification(k);
            return Invocation{nullptr, a};
        };
    };
    add("irq_bind_bad_selector_irq", S::irq_bind, E::bad_selector, bind({200, 11, 0}));
    add("irq_bind_bad_selector_notification", S::irq_bind, E::bad_selector, bind({10, 200, 0}));
    add("irq_bind_wrong_type_irq", S::irq_bind, E::wrong_type, bind({11, 11, 0}));
    add("irq_bind_wrong_type_notification", S::irq_bind, E::wrong_type, bind({10, 10, 0}));
    add("irq_bind_missing_rights_irq", S::irq_bind, E::missing_rights, [=](TestKernel& k) {
        irq_and_notification(k);
        copy(k, 10, 20, all & ~R::control);
        return Invocation{nullptr, {20, 11, 0}};
    });
    add("irq_bind_missing_rights_notification", S::irq_bind, E::missing_rights, [=](TestKernel& k) {
        irq_and_notification(k);
        copy(k, 11, 21, all & ~R::write);
        return Invocation{nullptr, {10, 21, 0}};
    });
    add("irq_bind_invalid_argument_bit", S::irq_bind, E::invalid_argument, bind({10, 11, 64}));

    // ---- cap_copy(src, pd, dest, rights, badge) and cap_grant(src, pd, dest, rights)
    for (S s : {S::cap_copy, S::cap_grant}) {
        std::string n = s == S::cap_copy ? "cap_copy" : "cap_grant";
        add(n + "_bad_selector_src", s, E::bad_selector, plain({200, root_pd, 20, all, 0}));
        add(n + "_bad_selector_pd", s, E::bad_selector, plain({root_thread, 200, 20, all, 0}));
        add(n + "_bad_selector_dest_zero", s, E::bad_selector, plain({root_thread, root_pd, 0, all, 0}));
        add(n + "_bad_selector_dest_beyond_target_space", s, E::bad_selector, [](TestKernel& k) {
            k.ok(S::pd_create, {10, 0, 4}); // 16 slots
            return Invocation{nullptr, {root_thread, 10, 16, all, 0}};
        });
        add(n + "_slot_occupied", s, E::slot_occupied, plain({root_thread, root_pd, irq_control, all, 0}));
        add(n + "_wrong_type", s, E::wrong_type, plain({root_pd, root_thread, 20, all, 0}));
        add(n + "_missing_rights_source_without_grant", s, E::missing_rights, [](TestKernel& k) {
            copy(k, root_thread, 20, all & ~R::grant);
            return Invocation{nullptr, {20, root_pd, 21, R::read, 0}};
        });
        add(n + "_missing_rights_pd_without_control", s, E::missing_rights, [](TestKernel& k) {
            copy(k, root_pd, 20, all & ~R::control);
            return Invocation{nullptr, {root_thread, 20, 21, all, 0}};
        });
        add(n + "_missing_rights_more_than_the_source", s, E::missing_rights, [](TestKernel& k) {
            copy(k, root_thread, 20, R::read | R::grant);
            return Invocation{nullptr, {20, root_pd, 21, R::read | R::write, 0}};
        });
        add(n + "_invalid_argument_reserved_rights", s, E::invalid_argument,
            plain({root_thread, root_pd, 20, all | 0x20, 0}));
        add(n + "_self_reference", s, E::self_reference, plain({root_thread, root_pd, root_thread, all, 0}));
        add(n + "_self_reference_before_slot_occupied", s, E::self_reference, [](TestKernel& k) {
            copy(k, root_pd, 20, all); // another capability to the same domain names the same space
            return Invocation{nullptr, {root_thread, 20, root_thread, all, 0}};
        });
    }
    add("cap_copy_invalid_argument_badge_on_a_thread", S::cap_copy, E::invalid_argument,
        plain({root_thread, root_pd, 20, all, 5}));
    add("cap_copy_invalid_argument_badge_on_a_badged_endpoint", S::cap_copy, E::invalid_argument,
        [](TestKernel& k) {
            k.ok(S::endpoint_create, {10});
            copy(k, 10, 11, all, 7);
            return Invocation{nullptr, {11, root_pd, 12, all, 9}};
        });

    // ---- cap_revoke(sel), cap_delete(sel), cap_info(sel)
    for (S s : {S::cap_revoke, S::cap_delete, S::cap_info}) {
        std::string n = spec::find(num(s))->name;
        add(n + "_bad_selector_zero", s, E::bad_selector, plain({0}));
        add(n + "_bad_selector_empty", s, E::bad_selector, plain({200}));
        add(n + "_bad_selector_beyond_space", s, E::bad_selector, plain({root_size}));
        add(n + "_bad_selector_huge", s, E::bad_selector, plain({huge}));
        add(n + "_bad_selector_beyond_a_small_space", s, E::bad_selector, [](TestKernel& k) {
            Thread& t = k.child_with_thread(10, 3 * 4096, 4); // the child pays its UTCB's page tables
            return Invocation{&t, {16}};
        });
    }
    add("cap_delete_self_reference_own_thread", S::cap_delete, E::self_reference, plain({root_thread}));
    add("cap_delete_self_reference_own_pd", S::cap_delete, E::self_reference, plain({root_pd}));
    add("cap_delete_self_reference_through_the_payer_of_the_callers_domain", S::cap_delete, E::self_reference,
        [](TestKernel& k) {
            // Root -> child C (root selector 10) -> grandchild G paid by C, with a thread TG. G holds the
            // root capability of C: deleting it destroys C, so G, so TG, the caller.
            Thread& t = k.child_with_thread(10, 100000, 6);
            Pd& child = k.at<Pd>(k.root(), 10);
            k.ok(S::cap_copy, {10, 10, 1, all, 0});      // C names itself at 1
            k.ok(S::cap_copy, {root_pd, 10, 4, all, 0}); // and the root at 4
            k.ok(t, S::pd_create, {2, 30000, 4});        // G at C's 2
            k.ok(t, S::thread_create, {3, 2, 0x4000, 1, 0});
            k.ok(t, S::cap_copy, {2, 4, 30, all, 0}); // the root gets G at 30
            k.ok(S::cap_grant, {10, 30, 1, all});     // C's root capability moves into G at 1
            return Invocation{&k.at<Thread>(child, 3), {1}};
        });

    // ---- mem_map(src, pd, dest, flags): argument checks; pages are not mapped before the memory side lands
    namespace F = spec::fpage;
    const std::uint64_t fp = F::make(0x200000, 21, R::read);
    add("mem_map_bad_flexpage_order_11", S::mem_map, E::bad_flexpage,
        plain({F::make(0x1000, 11, R::read), root_pd, 0x400000, 0}));
    add("mem_map_bad_flexpage_order_22", S::mem_map, E::bad_flexpage,
        plain({F::make(0x400000, 22, R::read), root_pd, 0x800000, 0}));
    add("mem_map_bad_flexpage_reserved_bits", S::mem_map, E::bad_flexpage,
        plain({fp | 0x200, root_pd, 0x400000, 0}));
    add("mem_map_bad_flexpage_misaligned_base", S::mem_map, E::bad_flexpage,
        plain({F::make(0x201000, 21, R::read), root_pd, 0x400000, 0}));
    add("mem_map_bad_flexpage_before_invalid_argument", S::mem_map, E::bad_flexpage,
        plain({fp | 0x400, 200, 0x400001, 2}));
    add("mem_map_invalid_argument_flags", S::mem_map, E::invalid_argument, plain({fp, root_pd, 0x400000, 2}));
    add("mem_map_bad_selector", S::mem_map, E::bad_selector, plain({fp, 200, 0x400000, 0}));
    add("mem_map_wrong_type", S::mem_map, E::wrong_type, plain({fp, root_thread, 0x400000, 0}));
    add("mem_map_missing_rights", S::mem_map, E::missing_rights, [](TestKernel& k) {
        copy(k, root_pd, 20, all & ~R::control);
        return Invocation{nullptr, {fp, 20, 0x400000, 0}};
    });
    add("mem_map_bad_address_dest_unaligned", S::mem_map, E::bad_address, plain({fp, root_pd, 0x400100, 0}));
    add("mem_map_bad_address_dest_kernel", S::mem_map, E::bad_address,
        plain({fp, root_pd, kernel_address, 0}));
    add("mem_map_bad_address_dest_crosses_the_boundary", S::mem_map, E::bad_address,
        plain({fp, root_pd, spec::user_end - 0x1000, 0}));
    add("mem_map_bad_address_source_kernel", S::mem_map, E::bad_address,
        plain({F::make(kernel_address, 12, R::read), root_pd, 0x400000, 0}));
    add("mem_map_not_mapped", S::mem_map, E::not_mapped, plain({fp, root_pd, 0x400000, 0}));

    // ---- mem_unmap(fpage, flags)
    add("mem_unmap_bad_flexpage_rights", S::mem_unmap, E::bad_flexpage, plain({fp, 0}));
    add("mem_unmap_bad_flexpage_order", S::mem_unmap, E::bad_flexpage, plain({F::make(0, 5, 0), 0}));
    add("mem_unmap_invalid_argument_flags", S::mem_unmap, E::invalid_argument,
        plain({F::make(0x200000, 21, 0), 2}));
    add("mem_unmap_bad_address_kernel", S::mem_unmap, E::bad_address,
        plain({F::make(kernel_address, 12, 0), 0}));

    // ---- numbers that name no syscall
    for (std::uint64_t n : {std::uint64_t{0}, std::uint64_t{spec::syscall_count + 1},
                            std::uint64_t{0xffff'ffff}, std::uint64_t{1} << 63}) {
        v.push_back(
            Scenario{"bad_syscall_" + std::to_string(n), n, E::bad_syscall, plain({1, 2, 3, 4, 5, 6})});
    }
    return v;
}

/// Runs one scenario on a fresh kernel; returns the status the call returned.
E run(const Scenario& sc) {
    TestKernel k(sc.options);
    Invocation inv = sc.setup(k);
    Thread& caller = inv.thread ? *inv.thread : k.root_thread();
    std::string before = kernel::testing::snapshot(k.kernel());
    Outcome o = k.call(caller, sc.number, inv.args);
    EXPECT_EQ(o.status, sc.expected)
        << sc.name << ": got " << spec::errors[static_cast<std::size_t>(o.status) % spec::error_count].name;
    if (o.status != E::ok) {
        EXPECT_EQ(kernel::testing::snapshot(k.kernel()), before)
            << sc.name << ": a failed call changed state";
        Args a = inv.args;
        a.resize(spec::max_args);
        EXPECT_EQ(o.regs.rdi, a[0]);
        EXPECT_EQ(o.regs.rsi, a[1]);
        EXPECT_EQ(o.regs.rdx, a[2]);
        EXPECT_EQ(o.regs.r10, a[3]);
        EXPECT_EQ(o.regs.r8, a[4]);
        EXPECT_EQ(o.regs.r9, a[5]);
    }
    EXPECT_TRUE(k.clean()) << sc.name;
    return o.status;
}

class Scenarios : public ::testing::TestWithParam<Scenario> {};

TEST_P(Scenarios, Returns) {
    run(GetParam());
}

[[maybe_unused]] const bool core_registered = kernel::testing::add_scenarios(&core_scenarios);

INSTANTIATE_TEST_SUITE_P(Errors, Scenarios, ::testing::ValuesIn(kernel::testing::all_scenarios()),
                         [](const ::testing::TestParamInfo<Scenario>& info) { return info.param.name; });

TEST(ErrorCoverage, EverySpecErrorOfEverySyscallIsReachedByAScenario) {
    std::set<std::pair<std::uint64_t, E>> reached;
    for (const Scenario& sc : kernel::testing::all_scenarios()) {
        E got = run(sc);
        EXPECT_EQ(got, sc.expected) << sc.name;
        reached.emplace(sc.number, got);
    }
    for (const spec::SyscallSpec& s : spec::syscalls) {
        for (std::size_t e = 1; e < spec::error_count; ++e) {
            if (!(s.error_mask >> e & 1)) continue;
            auto error = static_cast<E>(e);
            bool hit = reached.count({static_cast<std::uint64_t>(s.number), error}) != 0;
            bool pending = false;
            for (const auto& p : kernel::testing::pending())
                pending |= p.number == static_cast<std::uint64_t>(s.number) && p.error == error;
            if (pending)
                EXPECT_FALSE(hit) << s.name << " reaches " << spec::errors[e].name
                                  << ": remove its add_pending() declaration";
            else
                EXPECT_TRUE(hit) << s.name << " never returns " << spec::errors[e].name << " in any scenario";
        }
    }
    bool bad_syscall = false;
    for (auto& [number, error] : reached) bad_syscall |= error == E::bad_syscall && !spec::find(number);
    EXPECT_TRUE(bad_syscall) << "no scenario reaches bad_syscall";
}

} // namespace
