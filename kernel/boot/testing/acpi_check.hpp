// AcpiInfo's invariants, restated independently of the parser (host only; unit tests, properties, fuzzing):
// counts within capacities, every kept CPU enabled or online capable, no APIC ID twice, nothing left of the
// MADT when it was not used, problems terminated and described.
#pragma once

#include <cstring>
#include <string>

#include "kernel/boot/acpi.hpp"
#include "kernel/boot/testing/sparse_phys.hpp"
#include "kernel/lib/print.hpp"

namespace kernel::boot::testing::acpi {

/// "" if `info` keeps every invariant, else the first one it breaks.
inline std::string acpi_violation(const kernel::boot::acpi::AcpiInfo& info) {
    using kernel::boot::acpi::AcpiInfo;
    if (info.cpu_count > AcpiInfo::max_cpus) return "cpu_count above max_cpus";
    if (info.ioapic_count > AcpiInfo::max_ioapics) return "ioapic_count above max_ioapics";
    if (info.override_count > AcpiInfo::max_overrides) return "override_count above max_overrides";
    if (info.nmi_count > AcpiInfo::max_nmis) return "nmi_count above max_nmis";
    if (info.mcfg_count > AcpiInfo::max_mcfg) return "mcfg_count above max_mcfg";
    if (info.problem_count > AcpiInfo::max_problems) return "problem_count above max_problems";
    if (info.problems_dropped && info.problem_count != AcpiInfo::max_problems)
        return "problems dropped before the array was full";
    if (info.cpus_dropped && info.cpu_count != AcpiInfo::max_cpus)
        return "cpus dropped before the array was full";
    for (std::size_t i = 0; i < info.cpu_count; ++i) {
        if (!info.cpus[i].enabled && !info.cpus[i].online_capable)
            return "CPU " + std::to_string(i) + " neither enabled nor online capable";
        for (std::size_t j = 0; j < i; ++j)
            if (info.cpus[j].apic_id == info.cpus[i].apic_id)
                return "APIC ID " + std::to_string(info.cpus[i].apic_id) + " twice";
    }
    for (std::size_t i = 0; i < info.override_count; ++i)
        if (info.overrides[i].source >= 16) return "override of a non-ISA IRQ";
    for (std::size_t i = 0; i < info.nmi_count; ++i)
        if (info.nmis[i].lint > 1) return "NMI on LINT above 1";
    for (std::size_t i = 0; i < info.mcfg_count; ++i)
        if (info.mcfg[i].start_bus > info.mcfg[i].end_bus) return "MCFG start bus above end bus";
    if (!info.madt && (info.cpu_count || info.cpus_dropped || info.ioapic_count || info.override_count ||
                       info.nmi_count || info.lapic_address || info.pcat_compat))
        return "MADT fields set without a MADT";
    if (!info.found && (info.madt || info.pm_timer.present || info.hpet.present || info.mcfg_count))
        return "tables used without a root table";
    for (std::size_t i = 0; i < info.problem_count; ++i) {
        if (std::memchr(info.problems[i].signature, '\0', sizeof info.problems[i].signature) == nullptr)
            return "problem signature not terminated";
        if (info.problems[i].what == nullptr) return "problem without a description";
    }
    if (info.oem_id[6] != '\0') return "oem_id not terminated";
    return "";
}

/// The problems of `info`, one put() line each (for failure messages).
inline std::string describe(const kernel::boot::acpi::AcpiInfo& info) {
    std::string s;
    for (std::size_t i = 0; i < info.problem_count; ++i) {
        char line[200];
        kernel::BufferSink sink(line, sizeof line);
        kernel::boot::acpi::put(sink, info.problems[i]);
        s += std::string(sink.view().data(), sink.view().size()) + "\n";
    }
    return s;
}

/// Whether a problem names table `signature` and its reason contains `what_part`.
inline bool has_problem(const kernel::boot::acpi::AcpiInfo& info, const std::string& signature,
                        const std::string& what_part = "") {
    for (std::size_t i = 0; i < info.problem_count; ++i)
        if (info.problems[i].signature == signature &&
            std::string(info.problems[i].what).find(what_part) != std::string::npos)
            return true;
    return false;
}

/// Whether the parser was granted a read at exactly `pa`.
inline bool was_read(const SparsePhys& mem, std::uint64_t pa) {
    for (const auto& a : mem.log())
        if (a.pa == pa && a.granted) return true;
    return false;
}

} // namespace kernel::boot::testing::acpi
