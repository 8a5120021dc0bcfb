#include "arch/x86_64/selftest.hpp"

#include <cstdint>

#include "arch/x86_64/layout.hpp"
#include "arch/x86_64/paging.hpp"
#if JANUS_SELFTEST_IMAGE
#include "arch/x86_64/selftest/selftests.hpp"
#endif
#include "kernel/lib/print.hpp"
#include "kernel/lib/string_view.hpp"

extern "C" const char __rodata_start[];

namespace arch::x86 {

namespace {

using kernel::StringView;

constexpr StringView option = "janus.selftest=";

bool starts_with(StringView word, StringView prefix) {
    return word.size() >= prefix.size() && StringView(word.data(), prefix.size()) == prefix;
}

/// The value of the first "janus.selftest=" word on the (space-separated) command line, or an empty view.
StringView requested(StringView cmdline) {
    std::size_t start = 0;
    while (start < cmdline.size()) {
        std::size_t end = start;
        while (end < cmdline.size() && cmdline[end] != ' ') ++end;
        StringView word(cmdline.data() + start, end - start);
        if (starts_with(word, option))
            return StringView(word.data() + option.size(), word.size() - option.size());
        start = end + 1;
    }
    return {};
}

#if JANUS_SELFTEST_IMAGE

constexpr std::uint64_t unmapped_address = 0xffff900000000000; // canonical, outside every mapping
constexpr std::uint64_t non_canonical_address = 0x8000000000000000;

/// janus.selftest=wx: one page of the kernel half mapped writable and executable, at a documented address
/// (docs/boot.md), over a frame of the kernel image's .bss. hwtest's W^X check must find exactly this page.
constexpr std::uint64_t planted_wx_address = 0xffffc00000000000;
alignas(4096) std::uint8_t planted_frame[4096];

void plant_writable_executable_page() {
    auto pa = reinterpret_cast<std::uintptr_t>(planted_frame) - kernel_vma;
    if (!map_kernel_pages(planted_wx_address, pa, sizeof planted_frame,
                          kernel::mem::Rights{true, true, false}))
        kernel::println("selftest: could not plant the writable+executable page");
}

/// janus.selftest=wx-rodata: the first page of .rodata becomes writable (still no-execute), so the live
/// tables disagree with the rights the kernel reports for .rodata.
void make_rodata_page_writable() {
    auto va = reinterpret_cast<std::uintptr_t>(__rodata_start);
    if (!map_kernel_pages(va, va - kernel_vma, 4096, kernel::mem::Rights{true, false, false}))
        kernel::println("selftest: could not remap .rodata");
}

/// janus.selftest=stack: recurse until the boot stack runs into its guard page. The page fault cannot be
/// pushed onto the unmapped guard either, so the CPU raises #DF, reported from its IST stack.
volatile std::uint64_t recursion_limit = ~std::uint64_t{0}; // never reached: the guard page stops it first

[[gnu::noinline]] std::uint64_t overflow_the_stack(std::uint64_t depth) {
    volatile std::uint8_t frame[512];
    frame[0] = static_cast<std::uint8_t>(depth);
    if (depth == recursion_limit) return 0;
    return overflow_the_stack(depth + 1) + frame[0];
}

/// janus.selftest=wp: write to the kernel's read-only data (CR0.WP makes it fault in ring 0 too).
void write_rodata() {
    // NOLINTNEXTLINE(performance-no-int-to-ptr)
    *reinterpret_cast<volatile std::uint64_t*>(const_cast<char*>(__rodata_start)) = 0;
}

/// janus.selftest=nx: call into the kernel's data (NX makes the fetch fault). A `ret` is planted there, so a
/// kernel without NX returns and the boot goes on, which the check then reports.
std::uint8_t data_code[16] = {0xc3};
void execute_data() {
    reinterpret_cast<void (*)()>(reinterpret_cast<std::uintptr_t>(data_code))();
}

/// Read from an address that is deliberately not a valid pointer.
std::uint64_t read_at(std::uint64_t address) {
    // NOLINTNEXTLINE(performance-no-int-to-ptr)
    return *reinterpret_cast<volatile std::uint64_t*>(address);
}

#endif // JANUS_SELFTEST_IMAGE

} // namespace

#if JANUS_SELFTEST_IMAGE
/// janus.selftest=absent-cpu: an enabled CPU that does not exist, at the head of the MADT's list.
void add_absent_cpu(kernel::boot::acpi::AcpiInfo& acpi) {
    constexpr std::uint32_t absent = 240;
    if (!acpi.madt || acpi.cpu_count == kernel::boot::acpi::AcpiInfo::max_cpus) {
        kernel::println("selftest: no MADT with room for another CPU");
        return;
    }
    for (std::size_t i = acpi.cpu_count; i > 0; --i) acpi.cpus[i] = acpi.cpus[i - 1];
    acpi.cpus[0] = {absent, absent, true, false, false};
    ++acpi.cpu_count;
    kernel::println("selftest: the MADT now lists apic id ", absent, " first, which no CPU here has");
}
#endif // JANUS_SELFTEST_IMAGE

void run_selftest(const kernel::boot::BootInfo& info, kernel::boot::acpi::AcpiInfo& acpi) {
    StringView test = requested(info.cmdline);
    if (test.empty()) return;
    kernel::println("selftest: ", test);
    if (test == "layout") {
        report_kernel_layout(); // and boot on: hwtest compares this with the live page tables
        return;
    }
#if JANUS_SELFTEST_IMAGE
    if (test == "ud") {
        asm volatile("ud2");
    } else if (test == "pf") {
        read_at(unmapped_address);
    } else if (test == "gp") {
        read_at(non_canonical_address);
    } else if (test == "wp") {
        write_rodata();
    } else if (test == "nx") {
        execute_data();
    } else if (test == "df") {
        asm volatile("mov %0, %%rsp; ud2" : : "r"(unmapped_address));
    } else if (test == "wx") {
        plant_writable_executable_page();
        report_kernel_layout();
    } else if (test == "wx-rodata") {
        make_rodata_page_writable();
        report_kernel_layout();
    } else if (test == "stack") {
        overflow_the_stack(0);
    } else if (test == "interrupts" || test == "user") {
        if (test == "interrupts") selftest::interrupts();
        selftest::user(info);
    } else if (test == "absent-cpu") {
        add_absent_cpu(acpi); // and boot on
    } else {
        kernel::println(
            "selftest: unknown test \"", test,
            "\" ignored (known: ud, pf, gp, wp, nx, df, stack, layout, wx, wx-rodata, interrupts, "
            "user, absent-cpu)");
    }
#else
    (void)acpi;
    kernel::println("selftest: \"", test,
                    "\" is not built into janus.elf, which carries no test code (only the layout report); "
                    "boot janus-selftest.elf for it. Ignored");
#endif
}

} // namespace arch::x86
