// libFuzzer target for the boot-information parsers (ctest boot.fuzz.bootinfo in the fuzz preset).
//
// Input: byte 0 picks the protocol, the rest is the loader's data.
//   byte 0 even: multiboot2. The rest is the information itself, placed at physical 0x10000 in a memory that
//                ends exactly where the input ends.
//   byte 0 odd:  PVH. The rest is physical memory from 0x100000 (pvh_window_base) on; hvm_start_info is at
//   its
//                start, and every pointer in it is an absolute physical address, so tables and strings the
//                pointers name lie in the input too (or outside it, and must then be refused).
// The fake memory is strict: every read the parser is granted is an exact-size heap copy, so ASan reports any
// access past what the parser asked for. On success the MemoryMap invariants and the string and count limits
// are checked; a refused read must end in an "unreadable" error. JANUS_FUZZ_VERBOSE=1 prints each outcome.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "kernel/boot/bootinfo.hpp"
#include "kernel/boot/testing/fake_phys.hpp"
#include "kernel/boot/testing/memory_map_check.hpp"

namespace {

using namespace kernel::boot;
using namespace kernel::boot::testing;

constexpr std::uint64_t multiboot2_info_pa = 0x10000;
constexpr std::uint64_t pvh_window_base = 0x100000;

[[noreturn]] void broken(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "bootinfo_fuzz: %s %s\n", what, detail.c_str());
    __builtin_trap();
}

bool terminated(const char* s, std::size_t cap) {
    for (std::size_t i = 0; i < cap; ++i)
        if (s[i] == '\0') return true;
    return false;
}

void check(const kernel::Result<kernel::Ok, BootError>& r, const BootInfo& info, const FakePhys& mem) {
    if (!r) {
        if (r.error().what == nullptr) broken("error without a description");
        if (mem.refused_any() && r.error().kind != BootErrorKind::unreadable)
            broken("a refused read did not end in an unreadable error");
        return;
    }
    if (mem.refused_any()) broken("parsed although a read was refused");
    if (std::string why = memory_map_violation(info.memory); !why.empty()) broken("memory map:", why);
    if (info.module_count > BootInfo::max_modules) broken("too many modules");
    if (!terminated(info.cmdline, sizeof info.cmdline)) broken("command line not terminated");
    if (!terminated(info.loader_name, sizeof info.loader_name)) broken("loader name not terminated");
    for (std::size_t i = 0; i < info.module_count; ++i)
        if (!terminated(info.modules[i].name, Module::name_capacity)) broken("module name not terminated");
}

/// JANUS_FUZZ_VERBOSE=1: say what the parser made of each input (to see what a corpus file exercises).
const bool verbose = std::getenv("JANUS_FUZZ_VERBOSE") != nullptr;

void describe(const kernel::Result<kernel::Ok, BootError>& r, const BootInfo& info) {
    char line[256];
    kernel::BufferSink sink(line, sizeof line);
    if (r)
        kernel::print_to(sink, "parsed: ", info.memory.count, " regions, ", info.module_count, " modules");
    else
        put(sink, r.error());
    std::fprintf(stderr, "%.*s\n", static_cast<int>(sink.view().size()), sink.view().data());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool pvh = data[0] & 1;
    const std::uint64_t base = pvh ? pvh_window_base : multiboot2_info_pa;
    FakePhys mem(base, size - 1);
    mem.set_strict(true);
    mem.write(base, data + 1, size - 1);

    static BootInfo info; // large: keep it off the stack
    auto r = pvh ? parse_pvh(mem, base, info) : parse_multiboot2(mem, base, info);
    check(r, info, mem);
    if (verbose) describe(r, info);
    return 0;
}
