#include "kernel/boot/bootinfo.hpp"

#include "arch/phys.hpp"

namespace kernel::boot {

StringView to_string(MemoryType t) {
    switch (t) {
    case MemoryType::usable:
        return "usable";
    case MemoryType::acpi_reclaimable:
        return "ACPI reclaimable";
    case MemoryType::acpi_nvs:
        return "ACPI NVS";
    case MemoryType::bad:
        return "bad";
    case MemoryType::reserved:
        return "reserved";
    }
    return "?";
}

StringView to_string(BootErrorKind k) {
    switch (k) {
    case BootErrorKind::unreadable:
        return "outside readable memory";
    case BootErrorKind::bad_magic:
        return "bad magic";
    case BootErrorKind::bad_alignment:
        return "misaligned";
    case BootErrorKind::bad_size:
        return "impossible size";
    case BootErrorKind::unterminated:
        return "unterminated string";
    case BootErrorKind::missing_end_tag:
        return "no end tag";
    case BootErrorKind::no_memory_map:
        return "no memory map";
    case BootErrorKind::too_many_entries:
        return "too many entries";
    case BootErrorKind::bad_range:
        return "impossible address range";
    case BootErrorKind::unsupported:
        return "unsupported";
    }
    return "?";
}

void put(Sink& s, const BootError& e) {
    print_to(s, "boot information rejected: ", to_string(e.kind), ": ", e.what, " at ", hex(e.location),
             " (value ", hex(e.value), ")");
}

const std::byte* WindowReader::read(std::uint64_t pa, std::size_t size) {
    if (size == 0 || !arch::phys_accessible(pa, size)) return nullptr;
    return static_cast<const std::byte*>(arch::phys_to_virt(pa));
}

Result<Ok, BootError> parse(Protocol protocol, PhysReader& mem, std::uint64_t pa, BootInfo& out) {
    return protocol == Protocol::pvh ? parse_pvh(mem, pa, out) : parse_multiboot2(mem, pa, out);
}

} // namespace kernel::boot
