// The checked view of one ACPI table and problem recording, shared by the table parsers (acpi_table.hpp).
// Header layout (ACPI 6.5, 5.2.6): 0 signature[4] | 4 length u32 | 8 revision u8 | 9 checksum u8 |
// 10 OEMID[6] | 16 OEM table ID[8] | 24 OEM revision u32 | 28 creator ID u32 | 32 creator revision u32.
#include "kernel/boot/acpi_table.hpp"

namespace kernel::boot::acpi::detail {

namespace {

char printable(char c) {
    return c >= 0x20 && c < 0x7f ? c : '?';
}

} // namespace

void Parse::problem(const char* signature, std::uint64_t pa, const char* what, std::uint64_t value) {
    if (out.problem_count == AcpiInfo::max_problems) {
        ++out.problems_dropped;
        return;
    }
    Problem& p = out.problems[out.problem_count++];
    for (std::size_t i = 0; i < 4; ++i) p.signature[i] = printable(signature[i]);
    p.signature[4] = '\0';
    p.pa = pa;
    p.what = what;
    p.value = value;
}

void Parse::problem(const ByteView& table, std::uint64_t pa, const char* what, std::uint64_t value) {
    char signature[4] = {'?', '?', '?', '?'};
    for (std::size_t i = 0; i < 4; ++i) {
        std::uint8_t c = 0;
        if (table.read(i, c)) signature[i] = static_cast<char>(c);
    }
    problem(signature, pa, what, value);
}

std::uint8_t byte_sum(const ByteView& v) {
    std::uint8_t sum = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::uint8_t b = 0;
        v.read(i, b);
        sum = static_cast<std::uint8_t>(sum + b);
    }
    return sum;
}

bool has_signature(const ByteView& v, const char* signature) {
    for (std::size_t i = 0; i < 4; ++i) {
        std::uint8_t c = 0;
        if (!v.read(i, c) || c != static_cast<std::uint8_t>(signature[i])) return false;
    }
    return true;
}

bool open_table(Parse& p, std::uint64_t pa, const char* signature, const char* referrer, ByteView& out) {
    const std::byte* head = p.mem.read(pa, header_size);
    if (!head) {
        p.problem(signature ? signature : referrer, pa, "table header outside readable memory", pa);
        return false;
    }
    ByteView header(head, header_size, pa);
    if (signature && !has_signature(header, signature)) {
        std::uint32_t found = 0;
        header.read(0, found);
        p.problem(signature, pa, "wrong signature", found);
        return false;
    }
    std::uint32_t length = 0;
    header.read(4, length);
    if (length < header_size) {
        p.problem(header, pa, "length shorter than the table header", length);
        return false;
    }
    if (length > max_table_length) {
        p.problem(header, pa, "length too large", length);
        return false;
    }
    const std::byte* whole = p.mem.read(pa, length);
    if (!whole) {
        p.problem(header, pa, "table runs past readable memory", length);
        return false;
    }
    ByteView table(whole, length, pa);
    // The signature again, from the bytes the checksum covers (the reader may hand out a fresh copy).
    if (signature && !has_signature(table, signature)) {
        p.problem(signature, pa, "wrong signature", 0);
        return false;
    }
    if (std::uint8_t sum = byte_sum(table); sum != 0) {
        p.problem(table, pa, "bad checksum", sum);
        return false;
    }
    out = table;
    return true;
}

} // namespace kernel::boot::acpi::detail
