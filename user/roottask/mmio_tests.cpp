// Device memory by capability, seen from ring 3 (docs/abi.md "Device memory"): the VGA text buffer at 0xb8000
// (a hole of every PC's memory map; QEMU's pc and q35 machines have a VGA there, hostsim has memory there)
// maps uncached and holds what is written; a page never gets a second memory type while an object lives; RAM
// and the interrupt controllers' pages are refused; a child given the mapping reads it, and deleting the mmio
// capability takes the child's page away: its next access faults to its handler.
//
// The tests use the buffer's last page (0xbf000), beyond the 80x25 screen the kernel's console writes, and
// put back what they found there.
#include "kernel/abi/ipc.hpp"
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/child.hpp"
#include "user/roottask/env.hpp"
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

constexpr Word vga = 0xb'8000, vga_pages = 8, last = vga_pages - 1;
constexpr Word uc = janus::abi::mmio_uncached, wc = janus::abi::mmio_write_combining;
constexpr Vaddr device_va = 0x3800'0000;
constexpr Vaddr probe_utcb = 0x3840'0000;
constexpr Word vector_ud = 6, vector_pf = 14;
constexpr Word words_per_page = 4096 / sizeof(Word);

volatile Word probe_result = 0;

/// Reads the first word of the mapped last page, then ends with ud2 (#UD) once it got through.
[[noreturn]] void probe_read() {
    probe_result = *reinterpret_cast<volatile Word*>(device_va + last * 4096);
    asm volatile("ud2");
    for (;;) {
    }
}

/// A probe thread in `pd` on the last CPU (probe.hpp).
Word run_probe(test::Context& t, Sel pd, void (*entry)()) {
    return roottask::run_probe(t, pd, entry, roottask::other_cpu(), probe_utcb);
}

/// The mapped last page of the buffer.
volatile Word* last_page() {
    return reinterpret_cast<volatile Word*>(device_va + last * 4096);
}

/// Whether anything answers at the mapped word `p`: a write that reads back as all ones met no device. UEFI
/// firmware (OVMF) leaves the legacy VGA window undecoded, so there the buffer is a hole and the tests that
/// need its memory say so and stop; under a BIOS (SeaBIOS) it is the text buffer, and a wrong byte fails.
bool decoded(test::Context& t, volatile Word* p) {
    const Word saved = *p;
    *p = 0x0123'4567'89ab'cdef;
    const bool answers = *p != ~Word{0};
    *p = saved;
    if (!answers) t.note("nothing decodes the VGA window at 0xb8000 here (UEFI firmware): not checked");
    return answers;
}

} // namespace

JANUS_TEST(vga_memory_maps_uncached_and_holds_what_is_written) {
    REQUIRE_BOOT();
    const Sel device = scratch(0);
    if (CHECK_EQ(sys::mmio_create(device, root::mmio_control, vga, vga_pages, uc).error, Error::ok) &&
        CHECK_EQ(sys::mmio_map(device, root::own_pd, device_va, 0, vga_pages, R::read | R::write).error,
                 Error::ok)) {
        auto info = sys::cap_info(device);
        CHECK_EQ(info.type, static_cast<Word>(janus::abi::ObjectType::mmio));
        volatile Word* p = last_page();
        if (!decoded(t, p)) {
            (void)sys::mem_unmap(janus::abi::fpage::make(device_va, 15, 0), janus::abi::unmap_self);
            roottask::clear_scratch(1);
            return;
        }
        Word saved[words_per_page];
        for (Word i = 0; i < words_per_page; ++i) saved[i] = p[i];
        for (Word i = 0; i < words_per_page; ++i) p[i] = 0x5a5a'0000'0000'0000 ^ (i * 0x0101'0101);
        Word wrong = 0;
        for (Word i = 0; i < words_per_page; ++i)
            wrong += p[i] != (0x5a5a'0000'0000'0000 ^ (i * 0x0101'0101));
        CHECK_EQ(wrong, Word{0});
        for (Word i = 0; i < words_per_page; ++i) p[i] = saved[i];
    }
    CHECK_EQ(sys::mem_unmap(janus::abi::fpage::make(device_va, 15, 0), janus::abi::unmap_self).error,
             Error::ok);
    roottask::clear_scratch(1);
}

JANUS_TEST(a_device_page_keeps_one_memory_type_while_its_object_lives) {
    REQUIRE_BOOT();
    const Sel device = scratch(0), other = scratch(1);
    CHECK_EQ(sys::mmio_create(device, root::mmio_control, vga, vga_pages, uc).error, Error::ok);
    CHECK_EQ(sys::mmio_create(other, root::mmio_control, vga, vga_pages, wc).error, Error::invalid_argument);
    CHECK_EQ(sys::mmio_create(other, root::mmio_control, vga + last * 4096, 1, wc).error,
             Error::invalid_argument);
    CHECK_EQ(sys::mmio_create(other, root::mmio_control, vga + 4096, 2, uc).error, Error::ok);
    CHECK_EQ(sys::cap_delete(other).error, Error::ok);
    CHECK_EQ(sys::cap_delete(device).error, Error::ok);
    CHECK_EQ(sys::mmio_create(other, root::mmio_control, vga, vga_pages, wc).error, Error::ok);
    roottask::clear_scratch(2);
}

JANUS_TEST(ram_and_the_interrupt_controllers_are_never_device_memory) {
    REQUIRE_BOOT();
    const Sel s = scratch(0);
    struct Range {
        Word phys, pages;
    };
    const Range refused[] = {
        {0x1000, 1},                    // low RAM on every PC
        {0x9'e000, 1},                  // low RAM's last whole page
        {0x10'0000, 1},                 // RAM at 1 MiB: the kernel image
        {0xb'f000, 0x42},               // from the VGA buffer's last page into RAM at 1 MiB
        {0xfee0'0000, 1},               // the local APIC
        {0xfec0'0000, 1},               // the I/O APIC
        {0xfe00'0000, 0x1000},          // a 16 MiB range covering both
        {0x1000, ~Word{0} / 4096 - 16}, // wrapping
    };
    for (const Range& r : refused)
        CHECK_EQ(sys::mmio_create(s, root::mmio_control, r.phys, r.pages, uc).error, Error::invalid_argument);
    CHECK_EQ(sys::cap_info(s).error, Error::bad_selector);
}

JANUS_TEST(a_child_reads_device_memory_until_the_mmio_capability_goes) {
    REQUIRE_BOOT();
    const Sel device = scratch(0), child = scratch(1);
    if (CHECK_EQ(sys::mmio_create(device, root::mmio_control, vga + last * 4096, 1, uc).error, Error::ok) &&
        roottask::make_child(t, child, 256 * 1024) &&
        CHECK_EQ(sys::mmio_map(device, child, device_va + last * 4096, 0, 1, R::read).error, Error::ok) &&
        CHECK_EQ(sys::mmio_map(device, root::own_pd, device_va + last * 4096, 0, 1, R::read | R::write).error,
                 Error::ok)) {
        volatile Word* p = last_page();
        if (!decoded(t, p)) {
            roottask::clear_scratch(2);
            return;
        }
        const Word saved = p[0];
        p[0] = 0x6d6d'696f'0000'0001;
        probe_result = 0;
        CHECK_EQ(run_probe(t, child, probe_read), vector_ud);
        CHECK_EQ(probe_result, Word{0x6d6d'696f'0000'0001}); // the child read what the root wrote
        p[0] = saved;
        // The root's own mapping goes with the object too; the child's next access faults.
        CHECK_EQ(sys::cap_delete(device).error, Error::ok);
        probe_result = 0;
        CHECK_EQ(run_probe(t, child, probe_read), vector_pf);
        CHECK_EQ(probe_result, Word{0});
    }
    roottask::clear_scratch(2);
}
