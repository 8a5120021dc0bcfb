// I/O ports by capability, seen from ring 3 (docs/abi.md io_create): a domain may use exactly the ports of
// the io_ports capabilities with read and write in its space; every other port faults as a #GP at the
// instruction; revoking takes the ports away on every CPU before cap_revoke returns.
//
// The probes touch COM1's scratch register (0x3ff), which every PC has and no driver uses: a write there
// reads back. Each probe runs as a thread whose exception handler is the root, and ends with ud2 (#UD) once
// it got through, so the vector the root receives says how far it came: 6 = every access worked, 13 = an
// access faulted (and the ip says which).
#include "kernel/abi/ipc.hpp"
#include "user/lib/port_io.hpp"
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/child.hpp"
#include "user/roottask/env.hpp"
#include "user/roottask/eventually.hpp"
#include "user/roottask/probe.hpp"
#include "user/roottask/scratch.hpp"

using namespace janus::user;
using janus::abi::Error;
namespace R = janus::abi::rights;
namespace msg = janus::abi::msg;
namespace label = janus::abi::label;
using roottask::scratch;
using roottask::second;

namespace {

constexpr std::uint16_t scratch_port = 0x3ff; // COM1's scratch register
constexpr Word vector_ud = 6, vector_gp = 13;
constexpr Vaddr probe_utcb = 0x2740'0000;
constexpr Word child_quota = 256 * 1024;

// Shared with the probe threads (the child domains share the root's image, child.hpp).
volatile Word probe_result = 0;
volatile Word spin_reads = 0;

[[noreturn]] void report_done() {
    asm volatile("ud2");
    for (;;) {
    }
}

/// Writes two patterns to the scratch register and reads each back.
[[noreturn]] void probe_scratch() {
    out8(scratch_port, 0x5a);
    Word a = in8(scratch_port);
    out8(scratch_port, 0xa5);
    Word b = in8(scratch_port);
    probe_result = a | b << 8;
    report_done();
}

/// The byte below the scratch register (COM1's modem status register).
[[noreturn]] void probe_byte_below() {
    (void)in8(scratch_port - 1);
    probe_result = 1;
    report_done();
}

/// A 16-bit read of ports 0x3fe and 0x3ff: both bits of the map must allow it.
[[noreturn]] void probe_word_across() {
    (void)in16(scratch_port - 1);
    probe_result = 1;
    report_done();
}

/// Reads the scratch register for ever, counting.
[[noreturn]] void spin_on_port() {
    for (;;) {
        (void)in8(scratch_port);
        spin_reads = spin_reads + 1;
    }
}

/// A probe thread in `pd` on `cpu` (probe.hpp); probe_result is reset first.
Word run_probe(test::Context& t, Sel pd, void (*entry)(), Word cpu) {
    probe_result = 0;
    return roottask::run_probe(t, pd, entry, cpu, probe_utcb);
}

/// A child domain at `pd` holding a copy of io_ports capability `ports` at its selector 5 with `rights`.
bool child_with_ports(test::Context& t, Sel pd, Sel ports, Word rights) {
    return roottask::make_child(t, pd, child_quota) &&
           CHECK_EQ(sys::cap_copy(ports, pd, Sel{5}, rights, 0).error, Error::ok);
}

} // namespace

JANUS_TEST(a_domain_without_an_io_ports_capability_gets_no_port) {
    REQUIRE_BOOT();
    CHECK_EQ(run_probe(t, root::own_pd, probe_scratch, 0), vector_gp);
    CHECK_EQ(probe_result, Word{0});
}

JANUS_TEST(an_io_ports_capability_opens_exactly_its_ports) {
    REQUIRE_BOOT();
    const Sel ports = scratch(0);
    if (CHECK_EQ(sys::io_create(ports, root::io_control, scratch_port, 1).error, Error::ok)) {
        for (Word cpu = 0; cpu < roottask::cpus(); ++cpu) {
            CHECK_EQ(run_probe(t, root::own_pd, probe_scratch, cpu), vector_ud);
            CHECK_EQ(probe_result, Word{0xa55a}); // both patterns read back: the writes reached the device
        }
        CHECK_EQ(run_probe(t, root::own_pd, probe_byte_below, roottask::other_cpu()), vector_gp);
        CHECK_EQ(run_probe(t, root::own_pd, probe_word_across, roottask::other_cpu()), vector_gp);
        CHECK_EQ(probe_result, Word{0});
    }
    // Deleting the capability closes the port again, on the CPU that used it last too.
    CHECK_EQ(sys::cap_delete(ports).error, Error::ok);
    CHECK_EQ(run_probe(t, root::own_pd, probe_scratch, roottask::other_cpu()), vector_gp);
    roottask::clear_scratch(1);
}

JANUS_TEST(ports_are_a_domains_own_and_need_read_and_write) {
    REQUIRE_BOOT();
    const Sel ports = scratch(0), reader = scratch(1), user = scratch(2);
    const Word cpu = roottask::other_cpu();
    if (CHECK_EQ(sys::io_create(ports, root::io_control, scratch_port, 1).error, Error::ok) &&
        child_with_ports(t, reader, ports, R::read | R::grant) &&
        child_with_ports(t, user, ports, R::read | R::write)) {
        // One CPU switching between domains: the root's set, then none, then the child's, then the root's.
        CHECK_EQ(run_probe(t, root::own_pd, probe_scratch, cpu), vector_ud);
        CHECK_EQ(run_probe(t, reader, probe_scratch, cpu), vector_gp);
        CHECK_EQ(run_probe(t, user, probe_scratch, cpu), vector_ud);
        CHECK_EQ(probe_result, Word{0xa55a});
        CHECK_EQ(run_probe(t, root::own_pd, probe_scratch, cpu), vector_ud);
        // A domain whose copy goes loses the port; the others keep theirs.
        CHECK_EQ(sys::cap_delete(user).error, Error::ok);
        CHECK_EQ(run_probe(t, root::own_pd, probe_scratch, cpu), vector_ud);
    }
    roottask::clear_scratch(3);
}

JANUS_TEST(revoking_ports_stops_a_thread_using_them_on_another_cpu) {
    REQUIRE_BOOT();
    const Sel ports = scratch(0), pd = scratch(1), ep = scratch(2), reply = scratch(3), thread = scratch(4),
              pause = scratch(5);
    const Vaddr stack = roottask::take_pages(1);
    spin_reads = 0;
    auto& u = roottask::root_utcb();
    if (CHECK_NE(stack, Vaddr{0}) && CHECK_EQ(sys::notification_create(pause).error, Error::ok) &&
        CHECK_EQ(sys::io_create(ports, root::io_control, scratch_port, 1).error, Error::ok) &&
        child_with_ports(t, pd, ports, R::read | R::write) &&
        CHECK_EQ(sys::endpoint_create(ep).error, Error::ok) &&
        CHECK_EQ(sys::mem_map(janus::abi::fpage::make(stack, 12, R::read | R::write), pd, stack, 0).error,
                 Error::ok) &&
        CHECK_EQ(sys::thread_create(thread, pd, probe_utcb, 100, roottask::other_cpu()).error, Error::ok) &&
        CHECK_EQ(sys::thread_configure(thread, Sel{0}, ep).error, Error::ok) &&
        CHECK_EQ(sys::thread_start(thread, reinterpret_cast<Vaddr>(spin_on_port), stack + 4096).error,
                 Error::ok)) {
        // It reads the port while the root watches; then the root revokes the child's copy.
        CHECK(roottask::eventually(pause, [] { return spin_reads > 3; }));
        CHECK_EQ(sys::cap_revoke(ports).error, Error::ok);
        const Word reads_at_revoke = spin_reads;
        u.reply_sel = raw(reply);
        auto r = sys::ipc_recv(ep, second);
        u.reply_sel = 0;
        if (CHECK_EQ(r.error, Error::ok)) {
            CHECK_EQ(msg::label(r.info), label::exception);
            CHECK_EQ(r.w0, vector_gp);
        }
        // At most the one read that had completed before the revocation may still be counted after it.
        CHECK(spin_reads <= reads_at_revoke + 1);
    }
    roottask::clear_scratch(6);
}

namespace {

constexpr std::uint16_t pci_address = 0xcf8, pci_data = 0xcfc;

/// PCI configuration mechanism #1 (PCI Local Bus spec 3.0, 3.2.2.3.2): the dword at `offset` of bus 0, device
/// `device`, function 0, read through 0xcf8/0xcfc.
[[noreturn]] void probe_pci_host_bridge() {
    out32(pci_address, 0x8000'0000u); // enable, bus 0, device 0, function 0, register 0: vendor and device ID
    probe_result = in32(pci_data);
    report_done();
}

} // namespace

JANUS_TEST(pci_configuration_space_through_the_legacy_ports) {
    REQUIRE_BOOT();
    // A driver reads PCI configuration space through an io_ports capability for 0xcf8..0xcff.
    const Sel ports = scratch(0);
    CHECK_EQ(run_probe(t, root::own_pd, probe_pci_host_bridge, 0), vector_gp); // not without the capability
    if (CHECK_EQ(sys::io_create(ports, root::io_control, pci_address, 8).error, Error::ok) &&
        CHECK_EQ(run_probe(t, root::own_pd, probe_pci_host_bridge, roottask::other_cpu()), vector_ud)) {
        const Word vendor = probe_result & 0xffff, device = probe_result >> 16 & 0xffff;
        if (vendor == 0xffff) {
            t.note("no PCI host bridge answers at 00:00.0 (hostsim has no PCI)");
            CHECK_EQ(device, Word{0xffff}); // an absent function reads all ones
        } else {
            CHECK_NE(vendor, Word{0}); // a present function names its vendor
            t.note("PCI 00:00.0 is {x}:{x}", vendor, device);
        }
    }
    roottask::clear_scratch(1);
}

JANUS_TEST(pci_configuration_space_through_ecam_agrees_with_the_ports) {
    REQUIRE_BOOT();
    // The platform page names the MCFG's windows (docs/abi.md "At boot"); a driver maps one as device memory.
    const auto& platform = *reinterpret_cast<const janus::abi::Platform*>(janus::abi::root_mem::platform);
    CHECK(platform.ecam_count <= janus::abi::max_pci_ecam);
    if (platform.ecam_count == 0) {
        t.note("no ECAM window: no MCFG (QEMU's pc machine, no ACPI, hostsim)");
        CHECK_EQ(platform.ecam[0].base, Word{0});
        return;
    }
    const janus::abi::PciEcam& window = platform.ecam[0];
    CHECK(window.start_bus <= window.end_bus);
    const Sel device = scratch(0), ports = scratch(1);
    constexpr Vaddr config_va = 0x2780'0000;
    // The first function of the window's first bus: 4 KiB of configuration space, uncached.
    if (CHECK_EQ(
            sys::mmio_create(device, root::mmio_control, window.base, 1, janus::abi::mmio_uncached).error,
            Error::ok) &&
        CHECK_EQ(sys::mmio_map(device, root::own_pd, config_va, 0, 1, R::read).error, Error::ok)) {
        const Word id = *reinterpret_cast<volatile const std::uint32_t*>(config_va);
        CHECK_NE(id & 0xffff, Word{0xffff}); // the host bridge is there
        // The same register through mechanism #1, where both name the same function (segment 0, bus 0).
        if (window.segment == 0 && window.start_bus == 0 &&
            CHECK_EQ(sys::io_create(ports, root::io_control, pci_address, 8).error, Error::ok) &&
            CHECK_EQ(run_probe(t, root::own_pd, probe_pci_host_bridge, 0), vector_ud))
            CHECK_EQ(probe_result, id);
        t.note("ECAM at {x}: 00:00.0 is {x}", window.base, id);
    }
    roottask::clear_scratch(2); // the mmio object's death unmaps config_va
}
