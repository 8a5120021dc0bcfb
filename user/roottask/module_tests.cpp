// The boot modules as the root task finds them (docs/abi.md "At boot"): the module table at
// janus::abi::root_mem::module_table, whose entry 0 is this very program's ELF file, in the module window;
// module pages are read-only (a write faults and changes nothing, in the root's domain as in a child's) and
// can be handed on read-only or read/execute (a program's text), never writable; the table only read-only.
//
// The ELF header is read by its gABI offsets here, not with any loader's code.
#include "kernel/abi/abi.hpp"
#include "kernel/abi/ipc.hpp"
#include "user/lib/root_task.hpp"
#include "user/lib/syscall.hpp"
#include "user/lib/test.hpp"
#include "user/roottask/child.hpp"
#include "user/roottask/env.hpp"
#include "user/roottask/scratch.hpp"

using namespace janus::user;
using janus::abi::Error;
namespace R = janus::abi::rights;
namespace msg = janus::abi::msg;
namespace label = janus::abi::label;
namespace fpage = janus::abi::fpage;
namespace layout = janus::abi::root_mem;
using roottask::scratch;
using roottask::second;

extern "C" char _start[]; // the ELF entry (user/lib/start.S, user.ld)

namespace {

constexpr Word page = 4096;
constexpr Word two_mib = Word{2} << 20;
constexpr Vaddr reader_utcb = 0x3600'0000;
constexpr Vaddr child_at = 0x3700'0000; // where the tests map module pages into a child
constexpr Word child_quota = 256 * 1024;

const janus::abi::ModuleTable& table() {
    return *reinterpret_cast<const janus::abi::ModuleTable*>(layout::module_table);
}

/// Little-endian field of `size` bytes at `offset` of the module's bytes.
Word field(const unsigned char* bytes, Word offset, unsigned size) {
    Word v = 0;
    for (unsigned i = 0; i < size; ++i) v |= Word{bytes[offset + i]} << (8 * i);
    return v;
}

bool name_terminated(const char* name) {
    for (std::size_t i = 0; i < janus::abi::module_name_bytes; ++i)
        if (name[i] == '\0') return true;
    return false;
}

volatile Vaddr reader_target = 0;
volatile Word reader_value = 0;

/// Reads the word at reader_target (the root checks what it saw), then writes its first byte: that must
/// fault to the thread's pager.
[[noreturn]] void read_then_write() {
    reader_value = *reinterpret_cast<const volatile Word*>(reader_target);
    *reinterpret_cast<volatile unsigned char*>(reader_target) = 0x5a;
    for (;;) sys::thread_yield();
}

struct PageFault {
    Error error;
    Word label, address, code;
};

/// Runs read_then_write in domain `pd` (the root's own or a child sharing its image) with the root as its
/// pager on endpoint scratch(1); returns the first fault message (error timeout if none came within a
/// second). The thread, the endpoint and the reply capability go afterwards (scratch 1..4).
PageFault run_reader(test::Context& t, Sel pd, Vaddr target) {
    const Sel ep = scratch(1), pager = scratch(2), thread = scratch(3), reply = scratch(4);
    PageFault f{Error::invalid_argument, 0, 0, 0};
    reader_target = target;
    reader_value = 0;
    const Vaddr stack = roottask::take_pages(1);
    if (CHECK_NE(stack, Vaddr{0}) && CHECK_EQ(sys::endpoint_create(ep).error, Error::ok) &&
        CHECK_EQ(sys::cap_copy(ep, root::own_pd, pager, R::all, 0x3d).error, Error::ok) &&
        (pd == root::own_pd ||
         CHECK_EQ(sys::mem_map(fpage::make(stack, 12, R::read | R::write), pd, stack, 0).error, Error::ok)) &&
        CHECK_EQ(sys::thread_create(thread, pd, reader_utcb, 100, roottask::next_cpu()).error, Error::ok) &&
        CHECK_EQ(sys::thread_configure(thread, pager, pager).error, Error::ok) &&
        CHECK_EQ(sys::thread_start(thread, reinterpret_cast<Vaddr>(&read_then_write), stack + page).error,
                 Error::ok)) {
        auto& u = roottask::root_utcb();
        u.reply_sel = raw(reply);
        auto r = sys::ipc_recv(ep, second);
        u.reply_sel = 0;
        f = PageFault{r.error, msg::label(r.info), r.w0, r.w1};
    }
    for (unsigned i = 1; i <= 4; ++i) (void)sys::cap_delete(scratch(i));
    return f;
}

/// The write of read_then_write at `target` faulted as a write to a present page from user mode.
void expect_write_fault(test::Context& t, const PageFault& f, Vaddr target) {
    if (CHECK_EQ(f.error, Error::ok)) {
        CHECK_EQ(f.label, label::page_fault);
        CHECK_EQ(f.address, target);
        CHECK_EQ(f.code & 7, Word{7}); // #PF error code: present, write, user
    }
}

} // namespace

JANUS_TEST(the_module_table_lists_this_programs_elf_first) {
    REQUIRE_BOOT();
    const auto& mt = table();
    if (!CHECK(mt.count >= 1 && mt.count <= janus::abi::max_root_modules)) return;
    Word slot_end = layout::modules; // first 2 MiB boundary not yet used by an earlier module
    for (Word i = 0; i < mt.count; ++i) {
        const auto& e = mt.entries[i];
        CHECK(name_terminated(e.name));
        // Inside the window, each from a fresh 2 MiB boundary, in table order.
        CHECK(e.address >= slot_end && e.address - slot_end < page);
        CHECK(e.address < layout::modules + layout::modules_max_bytes &&
              e.size <= layout::modules + layout::modules_max_bytes - e.address);
        slot_end = (e.address + e.size + two_mib - 1) / two_mib * two_mib;
        if (e.size)
            CHECK_EQ(*reinterpret_cast<const volatile unsigned char*>(e.address + e.size - 1),
                     reinterpret_cast<const unsigned char*>(e.address)[e.size - 1]); // last byte readable
    }
    const auto& own = mt.entries[0];
    const auto* elf = reinterpret_cast<const unsigned char*>(own.address);
    if (!CHECK(own.size >= 64)) return;                          // an ELF64 header
    CHECK_EQ(field(elf, 0, 4), Word{0x464c457f});                // "\x7fELF"
    CHECK_EQ(Word{elf[4]}, Word{2});                             // ELFCLASS64
    CHECK_EQ(field(elf, 24, 8), reinterpret_cast<Word>(_start)); // e_entry
    const Word phoff = field(elf, 32, 8), shoff = field(elf, 40, 8);
    const Word phentsize = field(elf, 54, 2), phnum = field(elf, 56, 2);
    const Word shentsize = field(elf, 58, 2), shnum = field(elf, 60, 2);
    CHECK(phnum > 0 && phoff + phnum * phentsize <= own.size); // the whole file, not just a header
    if (shoff) CHECK(shoff + shnum * shentsize <= own.size);
    // This program's text, as it runs, is the file's executable segment: entry 0 is this very ELF.
    bool text_seen = false;
    for (Word i = 0; i < phnum && phoff + (i + 1) * phentsize <= own.size; ++i) {
        const Word ph = phoff + i * phentsize;
        constexpr Word pt_load = 1, pf_x = 1;
        if (field(elf, ph, 4) != pt_load || !(field(elf, ph + 4, 4) & pf_x)) continue;
        const Word offset = field(elf, ph + 8, 8), vaddr = field(elf, ph + 16, 8),
                   filesz = field(elf, ph + 32, 8);
        if (!CHECK(offset + filesz <= own.size)) continue;
        Word differ = 0;
        for (Word k = 0; k < filesz; ++k)
            differ += elf[offset + k] != reinterpret_cast<const volatile unsigned char*>(vaddr)[k];
        CHECK_EQ(differ, Word{0});
        text_seen = filesz > 0;
    }
    CHECK(text_seen);
}

JANUS_TEST(writing_a_module_page_faults_and_changes_nothing) {
    REQUIRE_BOOT();
    const Vaddr target = table().entries[0].address;
    const Word before = *reinterpret_cast<const volatile Word*>(target);
    // A thread of the root's own domain: the root's own mapping is read-only.
    const PageFault f = run_reader(t, root::own_pd, target);
    CHECK_EQ(reader_value, before); // it could read
    expect_write_fault(t, f, target);
    CHECK_EQ(*reinterpret_cast<const volatile Word*>(target), before);
}

JANUS_TEST(a_module_maps_into_a_child_read_only_but_never_writable) {
    REQUIRE_BOOT();
    const Sel child = scratch(0);
    const Vaddr own = table().entries[0].address;
    const Vaddr first = own & ~(page - 1);
    const Word before = *reinterpret_cast<const volatile Word*>(own);
    if (!roottask::make_child(t, child, child_quota)) return roottask::clear_scratch(1);
    // Never writable, from the window or the table; the table is not executable either. Read-only and
    // read/execute go (the root holds grant).
    CHECK_EQ(sys::mem_map(fpage::make(first, 12, R::read | R::write), child, child_at, 0).error,
             Error::missing_rights);
    CHECK_EQ(sys::mem_map(fpage::make(first, 12, R::read | R::write | R::exec), child, child_at, 0).error,
             Error::missing_rights);
    CHECK_EQ(
        sys::mem_map(fpage::make(layout::module_table, 12, R::read | R::write), child, child_at, 0).error,
        Error::missing_rights);
    CHECK_EQ(sys::mem_map(fpage::make(layout::module_table, 12, R::read | R::exec), child, child_at, 0).error,
             Error::missing_rights);
    CHECK_EQ(sys::mem_map(fpage::make(layout::module_table, 12, R::read), child, child_at + page, 0).error,
             Error::ok);
    CHECK_EQ(sys::mem_map(fpage::make(first, 12, R::read | R::exec), child, child_at + 2 * page, 0).error,
             Error::ok);
    if (CHECK_EQ(sys::mem_map(fpage::make(first, 12, R::read), child, child_at, 0).error, Error::ok)) {
        // The child reads the module's bytes there, and its write faults.
        const Vaddr target = child_at + (own - first);
        const PageFault f = run_reader(t, child, target);
        CHECK_EQ(reader_value, before);
        expect_write_fault(t, f, target);
    }
    roottask::clear_scratch(1);
    // The child's death takes only its own mappings: the root still reads the module.
    CHECK_EQ(*reinterpret_cast<const volatile Word*>(own), before);
}
