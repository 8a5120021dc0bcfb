#include "arch/x86_64/selftest.hpp"

#include <cstdint>

#include "arch/x86_64/selftest/selftests.hpp"
#include "kernel/lib/print.hpp"
#include "kernel/lib/string_view.hpp"

namespace arch::x86 {

namespace {

using kernel::StringView;

constexpr StringView option = "janus.selftest=";
constexpr std::uint64_t unmapped_address = 0xffff900000000000; // canonical, outside every mapping
constexpr std::uint64_t non_canonical_address = 0x8000000000000000;

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

/// Read from an address that is deliberately not a valid pointer.
std::uint64_t read_at(std::uint64_t address) {
    // NOLINTNEXTLINE(performance-no-int-to-ptr)
    return *reinterpret_cast<volatile std::uint64_t*>(address);
}

} // namespace

void run_selftest(const kernel::boot::BootInfo& info) {
    StringView test = requested(info.cmdline);
    if (test.empty()) return;
    kernel::println("selftest: ", test);
    if (test == "ud") {
        asm volatile("ud2");
    } else if (test == "pf") {
        read_at(unmapped_address);
    } else if (test == "gp") {
        read_at(non_canonical_address);
    } else if (test == "df") {
        asm volatile("mov %0, %%rsp; ud2" : : "r"(unmapped_address));
    } else if (test == "interrupts") {
        selftest::interrupts();
    } else if (test == "user") {
        selftest::user(info);
    } else {
        kernel::println("selftest: unknown test \"", test,
                        "\" ignored (known: ud, pf, gp, df, interrupts, user)");
    }
}

} // namespace arch::x86
