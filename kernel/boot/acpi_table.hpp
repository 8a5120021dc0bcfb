// Internal to the ACPI parser (acpi*.cpp): the shared parse state, problem recording, and the checked view of
// one table. Not an interface; acpi.hpp is.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/boot/acpi.hpp"
#include "kernel/boot/byte_reader.hpp"

namespace kernel::boot::acpi::detail {

/// The common table header (ACPI 6.5 table 5.4): signature, length, revision, checksum, OEM fields.
inline constexpr std::size_t header_size = 36;
/// Larger than any real table (a big DSDT is some 100 KiB; the tables parsed here are a few KiB at most).
inline constexpr std::uint32_t max_table_length = 1u << 20;

struct Parse {
    PhysReader& mem;
    AcpiInfo& out;

    /// Record a problem; `signature` is 4 characters (not necessarily terminated), non-printable ones shown
    /// as '?'. Beyond AcpiInfo::max_problems only counted.
    void problem(const char* signature, std::uint64_t pa, const char* what, std::uint64_t value = 0);
    /// The same with the signature taken from table bytes.
    void problem(const ByteView& table, std::uint64_t pa, const char* what, std::uint64_t value = 0);
};

/// Sum of the bytes of `v`, modulo 256: 0 for a good ACPI checksum.
std::uint8_t byte_sum(const ByteView& v);

/// True if the 4 bytes at the start of `v` are `signature`.
bool has_signature(const ByteView& v, const char* signature);

/// Map the table at `pa` and check it: header readable, length >= 36 and <= max_table_length, the whole table
/// readable, checksum 0, and (when `signature` is not null) the signature. On success `out` views exactly
/// `length` bytes; on failure a Problem names the table (`signature`, or `referrer` while the table's own is
/// unknown) and false is returned.
bool open_table(Parse& p, std::uint64_t pa, const char* signature, const char* referrer, ByteView& out);

/// The table parsers, each given a table that passed open_table. True if the table is usable (it may still
/// have recorded problems about parts of it that were dropped); false leaves its part of AcpiInfo empty.
bool parse_madt(Parse& p, const ByteView& madt);
bool parse_fadt(Parse& p, const ByteView& fadt);
bool parse_hpet(Parse& p, const ByteView& hpet);
bool parse_mcfg(Parse& p, const ByteView& mcfg);

} // namespace kernel::boot::acpi::detail
