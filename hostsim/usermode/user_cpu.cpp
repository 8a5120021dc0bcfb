#include "hostsim/usermode/user_cpu.hpp"

#include <cinttypes>
#include <cstdio>

namespace hostsim::usermode {

namespace {

constexpr arch::Vector breakpoint_vector = 3, invalid_opcode = 6, general_protection = 13, page_fault = 14;

bool canonical(std::uint64_t va) {
    const std::uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
}

arch::UserExit exception(arch::Vector vector, std::uint64_t error = 0, std::uint64_t address = 0) {
    return {arch::UserExit::Kind::exception, vector, error, address};
}

Slice entry(const arch::UserExit& exit) {
    Slice s;
    s.kind = Slice::Kind::kernel_entry;
    s.exit = exit;
    return s;
}

/// The error code of a #GP raised by `int n` through a gate ring 3 may not use (SDM 6.13: IDT flag set).
std::uint64_t idt_error(std::uint32_t vector) {
    return (std::uint64_t{vector} << 3) | 2;
}

} // namespace

Slice UserCpu::run(arch::UserFrame& frame, VectorRegisters& vectors, std::uint64_t budget) {
    pending_ = Slice{};
    std::uint64_t instructions = 0;
    tlb_.forget_other_code();
    EngineStop stop = engine_.run(frame, vectors, budget, instructions);
    // A fetch mapped other code where Unicorn may hold translations (SoftTlb::forget_other_code): drop them,
    // now that nothing runs, and go on from the fetch with what is left of the budget.
    while (stop.kind == EngineStop::Kind::memory && new_code_) {
        engine_.forget_code();
        new_code_.reset();
        pending_ = Slice{};
        std::uint64_t more = 0;
        stop = engine_.run(frame, vectors, budget > instructions ? budget - instructions : 1, more);
        instructions += more;
    }
    Slice s;
    switch (stop.kind) {
    case EngineStop::Kind::budget:
        break;
    case EngineStop::Kind::syscall:
        // SYSCALL: rcx = the next rip, r11 = rflags (SDM vol. 2B), as the bare-metal entry saves them.
        frame.rcx = frame.rip;
        frame.r11 = frame.rflags;
        s = entry({arch::UserExit::Kind::syscall, 0, 0, 0});
        break;
    case EngineStop::Kind::interrupt:
        s = from_interrupt(frame, stop.number);
        break;
    case EngineStop::Kind::port_io:
        s = entry(exception(general_protection));
        break;
    case EngineStop::Kind::port_done:
        s.kind = Slice::Kind::port_access;
        break;
    case EngineStop::Kind::invalid:
        s = entry(exception(invalid_opcode));
        break;
    case EngineStop::Kind::memory:
        s = pending_;
        break;
    case EngineStop::Kind::engine_error:
        s.kind = Slice::Kind::machine_error;
        s.message = "Unicorn: " + stop.message;
        break;
    }
    s.instructions = instructions;
    return s;
}

Slice UserCpu::from_interrupt(arch::UserFrame& frame, std::uint32_t number) {
    unsigned char insn[3] = {};
    if (number == general_protection && engine_.read(frame.rip, insn, 2) && insn[0] == 0x0f) {
        Slice s;
        s.kind = Slice::Kind::time_stamp;
        if (insn[1] == 0x31) { // rdtsc
            s.length = 2;
            return s;
        }
        if (insn[1] == 0x01 && engine_.read(frame.rip + 2, insn + 2, 1) && insn[2] == 0xf9) { // rdtscp
            s.length = 3;
            return s;
        }
    }
    // Software interrupts leave rip past the instruction; on bare metal every gate has DPL 0, so ring 3's
    // `int n` / `int3` is a #GP at the instruction itself.
    unsigned char before[2] = {};
    const bool readable = frame.rip >= 2 && engine_.read(frame.rip - 2, before, 2);
    if (number == breakpoint_vector && readable && before[1] == 0xcc) {
        frame.rip -= 1;
        return entry(exception(general_protection, idt_error(number)));
    }
    if (readable && before[0] == 0xcd && before[1] == number) {
        frame.rip -= 2;
        return entry(exception(general_protection, idt_error(number)));
    }
    if (number >= 32) {
        Slice s;
        s.kind = Slice::Kind::machine_error;
        s.message =
            "Unicorn raised interrupt " + std::to_string(number) + " that no instruction at the rip explains";
        return s;
    }
    // A CPU exception (INT1/icebp's #DB is a trap on hardware too, rip past it).
    return entry(exception(static_cast<arch::Vector>(number)));
}

void UserCpu::complete_time_stamp(arch::UserFrame& frame, const Slice& s, std::uint64_t tsc) {
    frame.rax = tsc & 0xffff'ffff;
    frame.rdx = tsc >> 32;
    if (s.length == 3) frame.rcx = 0; // IA32_TSC_AUX: the kernel never sets it
    frame.rip += s.length;
}

bool UserCpu::fault(Access access, std::uint64_t address, bool unmapped) {
    if (!canonical(address) || address - Engine::setup_page < 4096) {
        pending_ = entry(exception(general_protection));
        return false;
    }
    SoftTlb::Fill f = tlb_.fault(access, address, unmapped);
    switch (f.kind) {
    case SoftTlb::Fill::Kind::mapped:
        return true;
    case SoftTlb::Fill::Kind::new_code:
        new_code_ = address & ~std::uint64_t{0xfff};
        return false;
    case SoftTlb::Fill::Kind::page_fault:
        pending_ = entry(exception(page_fault, f.error_code, address));
        return false;
    case SoftTlb::Fill::Kind::stale:
        pending_.kind = Slice::Kind::stale_access;
        pending_.message = f.message;
        return false;
    case SoftTlb::Fill::Kind::ram_outside:
        pending_.kind = Slice::Kind::machine_error;
        pending_.message = f.message;
        return false;
    }
    return false;
}

} // namespace hostsim::usermode
