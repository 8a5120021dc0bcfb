// C++ view of the ABI specification in abi.def: enums, constants and a table describing every syscall.
// Freestanding: usable by the kernel, user space, the fuzzer, the model and the documentation test alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace janus::abi {

enum class Error : std::uint64_t {
#define JANUS_ERROR(value, name, meaning) name = value,
#include "kernel/abi/abi.def"

};

enum class Syscall : std::uint64_t {
#define JANUS_SYSCALL(number, name, meaning, inputs, results) name = number,
#include "kernel/abi/abi.def"

};

enum class ObjectType : std::uint64_t {
    none = 0,
#define JANUS_OBJECT(value, name, meaning) name = value,
#include "kernel/abi/abi.def"

};

enum class ArgType : std::uint8_t {
#define JANUS_ARG_TYPE(name, meaning) name,
#include "kernel/abi/abi.def"

};

/// Rights bits. Rights values travel as plain words; use these masks.
namespace rights {
#define JANUS_RIGHT(bit, name, meaning) inline constexpr std::uint64_t name = std::uint64_t{1} << bit;
#include "kernel/abi/abi.def"

inline constexpr std::uint64_t all = 0
#define JANUS_RIGHT(bit, name, meaning) | name
#include "kernel/abi/abi.def"

    ;
} // namespace rights

/// Kernel-memory charges per object, in bytes (see abi.def).
namespace charge {
#define JANUS_CHARGE(name, bytes, meaning) inline constexpr std::uint64_t name = bytes;
#include "kernel/abi/abi.def"
} // namespace charge

/// x86-64 register convention: number in rax; arguments a0..a5 in rdi, rsi, rdx, r10, r8, r9; status back in
/// rax; results r0..r5 in rdi, rsi, rdx, r10, r8, r9 (a syscall writes only its own results, and only on
/// success). rcx and r11 are clobbered by syscall/sysret; every other register is kept.
inline constexpr std::size_t max_args = 6;
inline constexpr std::size_t max_results = 6;
inline constexpr const char* arg_registers[max_args] = {"rdi", "rsi", "rdx", "r10", "r8", "r9"};
inline constexpr const char* result_registers[max_results] = {"rdi", "rsi", "rdx", "r10", "r8", "r9"};

/// The page: the unit of every mapping, UTCB and kernel-memory charge (x86-64's smallest page).
inline constexpr std::uint64_t page_bytes = 4096;

/// Flexpage encoding (see ArgType::fpage).
namespace fpage {
inline constexpr std::uint64_t order_mask = 0x3f;
inline constexpr unsigned rights_shift = 6;
inline constexpr std::uint64_t rights_mask = 0x7; ///< read, write, exec
inline constexpr std::uint64_t reserved_mask = 0xe00;
inline constexpr unsigned min_order = 12;
inline constexpr unsigned max_order = 21;

constexpr std::uint64_t make(std::uint64_t base, unsigned order, std::uint64_t r) {
    return base | (r & rights_mask) << rights_shift | order;
}
constexpr std::uint64_t base(std::uint64_t f) {
    return f & ~std::uint64_t{0xfff};
}
constexpr unsigned order(std::uint64_t f) {
    return static_cast<unsigned>(f & order_mask);
}
constexpr std::uint64_t rights(std::uint64_t f) {
    return (f >> rights_shift) & rights_mask;
}
} // namespace fpage

/// First address above user space (user addresses are canonical lower-half addresses below this).
inline constexpr std::uint64_t user_end = 0x0000800000000000;

/// Interrupt lines irq_create accepts: 0 .. irq_lines - 1, the machine's device lines (arch/irq_lines.hpp).
/// Line 0 is the legacy periodic timer (100 Hz) on every machine; on x86-64 lines 0..15 are the legacy
/// 8259's inputs (2, its cascade, never fires) and 16..23 are reserved for the first IO-APIC's inputs.
inline constexpr std::uint64_t irq_lines = 24;
/// The legacy periodic timer's line and rate.
inline constexpr std::uint64_t irq_line_timer = 0;
inline constexpr std::uint64_t irq_timer_hz = 100;

/// The machine's I/O ports (x86-64 in/out): io_create accepts ranges inside 0 .. io_ports - 1.
inline constexpr std::uint64_t io_ports = 65536;
/// The rights an io_ports capability needs to let its domain use the ports.
inline constexpr std::uint64_t io_use_rights = rights::read | rights::write;

/// Device memory (mmio_create): physical addresses below this bound only (64 TiB, 46 bits: no x86-64
/// machine the kernel runs on places device memory higher, and it keeps every page below the 52-bit
/// architectural limit of a page-table entry).
inline constexpr std::uint64_t mmio_phys_limit = std::uint64_t{1} << 46;
/// mmio_create's memory types.
inline constexpr std::uint64_t mmio_uncached = 0;
inline constexpr std::uint64_t mmio_write_combining = 1;
/// The rights an mmio mapping may carry (mmio_map); read is required.
inline constexpr std::uint64_t mmio_map_rights = rights::read | rights::write | rights::grant;

/// Selectors of the root protection domain's capabilities at boot, each with every right (docs/abi.md).
namespace root_sel {
inline constexpr std::uint64_t pd = 1;           ///< the root domain itself
inline constexpr std::uint64_t thread = 2;       ///< its first thread
inline constexpr std::uint64_t irq_control = 3;  ///< authority over interrupt lines
inline constexpr std::uint64_t io_control = 4;   ///< authority over I/O ports
inline constexpr std::uint64_t mmio_control = 5; ///< authority over device memory
} // namespace root_sel

/// The root task's address space at boot (docs/abi.md "At boot"): besides the ELF's own segments, the boot
/// path maps a stack, the first thread's UTCB, a pool of free memory, the boot modules and their table at
/// these fixed places. The pool's size depends on the machine; the start words say it (rdi = pool base,
/// rsi = pool bytes, rdx = the number of CPUs, whose ids thread_create accepts as 0 .. rdx-1).
namespace root_mem {
inline constexpr std::uint64_t utcb = 0x0000'7fff'ffff'f000;      ///< the last user page
inline constexpr std::uint64_t stack_top = 0x0000'7fff'fff0'0000; ///< initial rsp (16-byte aligned)
inline constexpr std::uint64_t stack_bytes = 0x10000;             ///< rw-, below stack_top
inline constexpr std::uint64_t pool = 0x0000'0040'0000'0000;      ///< rw- with grant, 2 MiB aligned
inline constexpr std::uint64_t pool_max_bytes = std::uint64_t{1} << 30;
/// The module window: every boot module's own pages, read-only (read, exec and grant; never write: r-x is
/// how a root task runs other programs' text), module after module in the table's order, each from a fresh
/// 2 MiB boundary (no large page holds two modules). A module's first byte keeps its offset inside its
/// first page: modules need not be page aligned, so the bytes around a module in its first and last page
/// are visible too.
inline constexpr std::uint64_t modules = 0x0000'0050'0000'0000;
inline constexpr std::uint64_t modules_max_bytes = std::uint64_t{64} << 30; ///< what does not fit is skipped
/// One page, read-only with grant, just below the module window: a ModuleTable naming the modules.
inline constexpr std::uint64_t module_table = modules - 0x1000;
/// One page, read-only with grant, below the module table: a Platform describing what the firmware reported
/// that drivers need (PCI configuration space).
inline constexpr std::uint64_t platform = module_table - 0x1000;
} // namespace root_mem

/// One PCI segment group's memory-mapped configuration space (ECAM, from ACPI's MCFG table): bus b, device
/// d, function f's 4 KiB start at base + (b - start_bus) << 20 | d << 15 | f << 12. The range is firmware-
/// reserved memory: the root maps it with mmio_create (uncached) and mmio_map.
struct PciEcam {
    std::uint64_t base;
    std::uint16_t segment;
    std::uint8_t start_bus;
    std::uint8_t end_bus;
    std::uint32_t reserved;
};
inline constexpr std::size_t max_pci_ecam = 8;

/// The page at root_mem::platform.
struct Platform {
    std::uint64_t ecam_count; ///< 0: no MCFG (no ACPI, or a machine without ECAM): use ports 0xcf8/0xcfc
    PciEcam ecam[max_pci_ecam];
};
static_assert(sizeof(Platform) <= 0x1000, "the platform page is one page");

/// The module table's size: at least every module a boot loader may pass (the kernel holds 16).
inline constexpr std::size_t max_root_modules = 32;
inline constexpr std::size_t module_name_bytes = 64;

/// One boot module as the root task sees it.
struct ModuleEntry {
    std::uint64_t address;        ///< its first byte in the root's address space (inside root_mem::modules)
    std::uint64_t size;           ///< its length in bytes (may be 0)
    char name[module_name_bytes]; ///< its command line, NUL-terminated, truncated; empty if it has none
};

/// The page at root_mem::module_table. Entry 0 is the root task's own module (its ELF file); the others
/// follow in boot order. Modules the kernel could not hand over (outside usable memory, overlapping the
/// kernel, beyond the window) are left out: the boot console says why.
struct ModuleTable {
    std::uint64_t count; ///< entries in use, 1 .. max_root_modules
    ModuleEntry entries[max_root_modules];
};
static_assert(sizeof(ModuleTable) <= page_bytes, "the module table is one page");

/// debug_write's largest `length`.
inline constexpr std::uint64_t debug_write_max = 4096;

/// The user runtime's exit convention (docs/user.md): `ud2` with this value in rax ("JanusXit" in memory) and
/// the status in rdi. Executed by a thread of the root domain, it ends the run with that status.
inline constexpr std::uint64_t exit_marker = 0x4a616e7573586974;

/// Flags words.
inline constexpr std::uint64_t map_grant = 1;  ///< mem_map: move instead of copy
inline constexpr std::uint64_t unmap_self = 1; ///< mem_unmap: the caller's own mappings too

struct ArgSpec {
    ArgType type;
    const char* name;
};

struct SyscallSpec {
    Syscall number;
    const char* name;
    const char* meaning;
    std::size_t arg_count;
    ArgSpec args[max_args];
    std::size_t result_count;
    const char* results[max_results];
    std::uint64_t error_mask; ///< bit e set: the syscall may return Error(e)
};

namespace detail {
#define JANUS_IN(type, name) 1 +
#define JANUS_OUT(name) 1 +
#define JANUS_SYSCALL(number, name, meaning, inputs, results)                                                \
    inline constexpr std::size_t name##_arg_count = inputs 0;                                                \
    inline constexpr std::size_t name##_result_count = results 0;
#include "kernel/abi/abi.def"

#undef JANUS_IN
#undef JANUS_OUT

constexpr std::uint64_t mask_of(std::initializer_list<Error> list) {
    std::uint64_t m = 0;
    for (Error e : list) m |= std::uint64_t{1} << static_cast<std::uint64_t>(e);
    return m;
}
} // namespace detail

/// The errors a syscall may return besides ok, as a bit mask over Error values.
constexpr std::uint64_t error_mask(Syscall s) {
    using enum Error;
    switch (s) {
#define JANUS_SYSCALL_ERRORS(name, ...)                                                                      \
    case Syscall::name:                                                                                      \
        return detail::mask_of({__VA_ARGS__});
#include "kernel/abi/abi.def"

    default:
        return 0;
    }
}

inline constexpr SyscallSpec syscalls[] = {
#define JANUS_IN(type, name) ArgSpec{ArgType::type, #name},
#define JANUS_OUT(name) #name,
#define JANUS_SYSCALL(number, name, meaning, inputs, results)                                                \
    SyscallSpec{Syscall::name, #name,                                                                        \
                meaning,       detail::name##_arg_count,                                                     \
                {inputs},      detail::name##_result_count,                                                  \
                {results},     error_mask(Syscall::name)},
#include "kernel/abi/abi.def"

#undef JANUS_IN
#undef JANUS_OUT
};

inline constexpr std::size_t syscall_count = sizeof syscalls / sizeof syscalls[0];

struct ErrorSpec {
    Error code;
    const char* name;
    const char* meaning;
};

inline constexpr ErrorSpec errors[] = {
#define JANUS_ERROR(value, name, meaning) ErrorSpec{Error::name, #name, meaning},
#include "kernel/abi/abi.def"

};

inline constexpr std::size_t error_count = sizeof errors / sizeof errors[0];

/// The spec entry for a syscall number, or nullptr.
constexpr const SyscallSpec* find(std::uint64_t number) {
    for (const SyscallSpec& s : syscalls)
        if (static_cast<std::uint64_t>(s.number) == number) return &s;
    return nullptr;
}

} // namespace janus::abi
