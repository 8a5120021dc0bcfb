#include "arch/x86_64/exception.hpp"

#include "arch/cpu.hpp"
#include "arch/x86_64/cpu_local.hpp"
#include "arch/x86_64/cpu_ops.hpp"
#include "arch/x86_64/serial.hpp"
#include "kernel/lib/print.hpp"

namespace arch::x86 {

ExceptionName exception_name(std::uint64_t vector) {
    // Intel SDM vol. 3, table 6-1, and AMD APM vol. 2 for #VC and #SX.
    static constexpr ExceptionName names[32] = {
        {"#DE", "divide error"},
        {"#DB", "debug"},
        {"NMI", "non-maskable interrupt"},
        {"#BP", "breakpoint"},
        {"#OF", "overflow"},
        {"#BR", "bound range exceeded"},
        {"#UD", "invalid opcode"},
        {"#NM", "device not available"},
        {"#DF", "double fault"},
        {"#CSO", "coprocessor segment overrun"},
        {"#TS", "invalid TSS"},
        {"#NP", "segment not present"},
        {"#SS", "stack-segment fault"},
        {"#GP", "general protection"},
        {"#PF", "page fault"},
        {"#15", "reserved"},
        {"#MF", "x87 floating-point error"},
        {"#AC", "alignment check"},
        {"#MC", "machine check"},
        {"#XM", "SIMD floating-point exception"},
        {"#VE", "virtualization exception"},
        {"#CP", "control protection"},
        {"#22", "reserved"},
        {"#23", "reserved"},
        {"#24", "reserved"},
        {"#25", "reserved"},
        {"#26", "reserved"},
        {"#27", "reserved"},
        {"#HV", "hypervisor injection"},
        {"#VC", "VMM communication"},
        {"#SX", "security exception"},
        {"#31", "reserved"},
    };
    return vector < 32 ? names[vector] : ExceptionName{"#??", "not an exception vector"};
}

} // namespace arch::x86

using arch::x86::ExceptionFrame;
using kernel::hex;
using kernel::println;

namespace {

constexpr unsigned pf_vector = 14;

/// Page-fault error code bits (Intel SDM vol. 3, section 4.7).
void print_page_fault_cause(std::uint64_t e) {
    println("cr2 ", hex(arch::x86::read_cr2(), 16), " (", e & 1 ? "protection violation" : "not present",
            ", ", e & 2 ? "write" : "read", e & 16 ? " (instruction fetch)" : "", ", ",
            e & 4 ? "user" : "kernel", e & 8 ? ", reserved bit set" : "", ")");
}

/// NMI, #DF and #MC may strike in the few instructions around swapgs on the way into or out of ring 3, with
/// the user's GS base loaded in ring 0. Kernel GS bases are kernel (negative) addresses; user ones cannot be
/// (ring 3 can only load selectors, whose base is 0).
void ensure_kernel_gs() {
    if (static_cast<std::int64_t>(arch::x86::rdmsr(arch::x86::msr_gs_base)) >= 0) asm volatile("swapgs");
}

} // namespace

extern "C" void x86_exception(ExceptionFrame* f) {
    ensure_kernel_gs();
    arch::x86::CpuLocal& cpu = arch::x86::this_cpu();
    if (cpu.in_exception) {
        // The dump itself faulted: print nothing more that could fault again.
        constexpr kernel::StringView message = "\nEXCEPTION during the exception dump; stopping\n";
        arch::x86::serial::write(message.data(), message.size());
        arch::shutdown(arch::ExitStatus::exception);
    }
    cpu.in_exception = true;

    auto [mnemonic, name] = arch::x86::exception_name(f->vector);
    println("\nEXCEPTION ", f->vector, " ", mnemonic, " (", name, ") on CPU ", cpu.id, ", error code ",
            hex(f->error_code));
    if (f->vector == pf_vector) print_page_fault_cause(f->error_code);
    println("rip ", hex(f->rip, 16), " cs ", hex(f->cs, 4), " rflags ", hex(f->rflags, 8), " rsp ",
            hex(f->rsp, 16), " ss ", hex(f->ss, 4));
    println("rax ", hex(f->rax, 16), " rbx ", hex(f->rbx, 16), " rcx ", hex(f->rcx, 16), " rdx ",
            hex(f->rdx, 16));
    println("rsi ", hex(f->rsi, 16), " rdi ", hex(f->rdi, 16), " rbp ", hex(f->rbp, 16), " r8  ",
            hex(f->r8, 16));
    println("r9  ", hex(f->r9, 16), " r10 ", hex(f->r10, 16), " r11 ", hex(f->r11, 16), " r12 ",
            hex(f->r12, 16));
    println("r13 ", hex(f->r13, 16), " r14 ", hex(f->r14, 16), " r15 ", hex(f->r15, 16));
    arch::shutdown(arch::ExitStatus::exception);
}
