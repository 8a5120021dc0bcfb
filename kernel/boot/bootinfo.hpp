// Boot information: what the boot loader tells the kernel, normalised into one form for both protocols
// (multiboot2 from GRUB, PVH from QEMU's -kernel and other VMMs).
//
// The loader's data is untrusted input. The parsers read it only through a PhysReader, which refuses any
// range outside the memory the kernel can see; every length, count and pointer is checked before use, and a
// malformed structure yields a BootError naming what was wrong and where, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/abi/abi.hpp"

#include "kernel/lib/print.hpp"
#include "kernel/lib/result.hpp"

namespace kernel::boot {

enum class Protocol : std::uint8_t { multiboot2, pvh };

/// Physical memory kinds, ordered by precedence: where loader entries overlap, the higher kind wins, so a
/// range claimed both usable and reserved is treated as reserved.
enum class MemoryType : std::uint8_t {
    usable = 0,
    acpi_reclaimable = 1,
    acpi_nvs = 2,
    bad = 3,
    reserved = 4,
};

StringView to_string(MemoryType t);

struct MemoryRegion {
    std::uint64_t base;
    std::uint64_t size; ///< never 0; base + size never wraps
    MemoryType type;

    std::uint64_t end() const { return base + size; }
};

/// The normalised memory map. Invariants after a successful parse:
///  * regions are sorted by base and do not overlap;
///  * adjacent regions of the same type are merged;
///  * usable regions start and end on 4 KiB boundaries (partial pages are dropped: they are not usable).
struct MemoryMap {
    static constexpr std::size_t capacity = 256;

    MemoryRegion regions[capacity];
    std::size_t count = 0;

    const MemoryRegion* begin() const { return regions; }
    const MemoryRegion* end() const { return regions + count; }
    std::uint64_t usable_bytes() const;
};

struct Module {
    static constexpr std::size_t name_capacity = 64;

    std::uint64_t base;
    std::uint64_t size;
    char name[name_capacity]; ///< the module's command line, NUL-terminated, truncated if longer
};

/// A linear framebuffer handed over by the loader (multiboot2 tag 8), for a screen console.
struct Framebuffer {
    enum class Kind : std::uint8_t { none, indexed, rgb, ega_text };

    Kind kind = Kind::none;
    std::uint64_t address = 0;
    std::uint32_t pitch = 0; ///< bytes per line
    std::uint32_t width = 0; ///< pixels, or characters for ega_text
    std::uint32_t height = 0;
    std::uint8_t bpp = 0;
    std::uint8_t red_shift = 0, red_bits = 0, green_shift = 0, green_bits = 0, blue_shift = 0, blue_bits = 0;
};

struct BootInfo {
    static constexpr std::size_t max_modules = 16;
    static constexpr std::size_t cmdline_capacity = 256;
    static constexpr std::size_t loader_capacity = 64;

    Protocol protocol = Protocol::multiboot2;
    MemoryMap memory;
    Module modules[max_modules];
    std::size_t module_count = 0;
    char cmdline[cmdline_capacity] = {};    ///< NUL-terminated, truncated if longer
    char loader_name[loader_capacity] = {}; ///< NUL-terminated, truncated if longer
    std::uint64_t acpi_rsdp = 0;            ///< physical address of the RSDP, 0 if not given
    Framebuffer framebuffer;
    /// PCI configuration space the firmware reported (ACPI MCFG; filled by the machine's boot code after it
    /// parsed ACPI, passed on to the root task in its platform page).
    janus::abi::PciEcam ecam[janus::abi::max_pci_ecam] = {};
    std::size_t ecam_count = 0;
};

/// Why boot information was rejected.
enum class BootErrorKind : std::uint8_t {
    unreadable,       ///< a structure or string lies outside readable physical memory
    bad_magic,        ///< wrong protocol magic number
    bad_alignment,    ///< a structure is not aligned as the protocol requires
    bad_size,         ///< a size or length field is impossible (too small, too big, past the end)
    unterminated,     ///< a string has no NUL within its bounds
    missing_end_tag,  ///< multiboot2 tag list does not end with an end tag
    no_memory_map,    ///< the loader gave no memory map at all
    too_many_entries, ///< more memory-map entries or modules than the kernel can hold
    bad_range,        ///< a region wraps around the address space, or a module ends before it starts
    unsupported,      ///< a protocol version the kernel does not understand
};

StringView to_string(BootErrorKind k);

struct BootError {
    BootErrorKind kind;
    const char* what;       ///< the structure concerned, e.g. "multiboot2 tag 6 (memory map)"
    std::uint64_t location; ///< physical address of the offending field
    std::uint64_t value;    ///< the offending value (a size, a count, an address), if any
};

/// "boot information rejected: <kind>: <what> at 0x.. (value 0x..)"
void put(Sink& s, const BootError& e);

/// Read access to physical memory for the parsers.
class PhysReader {
public:
    /// Pointer to `size` readable bytes at physical address `pa`, or nullptr if any of them is outside the
    /// readable window (or pa + size wraps).
    virtual const std::byte* read(std::uint64_t pa, std::size_t size) = 0;

protected:
    ~PhysReader() = default;
};

/// Reads through the arch contract's physical-memory window: what the running kernel itself uses.
class WindowReader final : public PhysReader {
public:
    const std::byte* read(std::uint64_t pa, std::size_t size) override;
};

/// Multiboot2 magic in EAX at entry.
inline constexpr std::uint32_t multiboot2_loader_magic = 0x36d76289;
/// PVH hvm_start_info magic ("xEn3" with the high bit of the 0 set).
inline constexpr std::uint32_t pvh_start_info_magic = 0x336ec578;

Result<Ok, BootError> parse_multiboot2(PhysReader& mem, std::uint64_t info_pa, BootInfo& out);
Result<Ok, BootError> parse_pvh(PhysReader& mem, std::uint64_t start_info_pa, BootInfo& out);
Result<Ok, BootError> parse(Protocol protocol, PhysReader& mem, std::uint64_t pa, BootInfo& out);

/// Raw entry as a loader reports it (e820 type numbers: 1 usable, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad,
/// anything else reserved).
struct RawRegion {
    std::uint64_t base;
    std::uint64_t size;
    std::uint32_t e820_type;
};

/// Normalise raw loader entries into `out` (see MemoryMap's invariants). Zero-sized entries are ignored;
/// an entry whose end wraps past 2^64 is an error.
Result<Ok, BootError> normalise_memory_map(const RawRegion* raw, std::size_t count, MemoryMap& out);

/// Print the memory map, one region per line.
void put(Sink& s, const MemoryMap& m);

} // namespace kernel::boot
