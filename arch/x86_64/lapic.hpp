// The local APIC: interrupt acknowledgement, inter-processor interrupts and the per-CPU one-shot timer.
// xAPIC registers are reached through the direct-map area (the page is mapped uncached, paging.cpp); if the
// firmware handed over in x2APIC mode, the same registers are MSRs 0x800 + offset / 16 (Intel SDM vol. 3,
// chapter 11). Register offsets and bits below are the SDM's.
#pragma once

#include <cstdint>

#include "arch/ipi.hpp"

namespace arch::x86::lapic {

/// Enable this CPU's local APIC (on an application processor, in the mode the boot CPU's has): spurious
/// vector, nothing masked by priority, LINT0 (the legacy PIC) and the error interrupt masked, the timer
/// stopped; `apic_id` receives this CPU's APIC ID. False if the xAPIC page cannot be mapped uncached.
bool init(std::uint32_t& apic_id);

/// LINT0, where the 8259 is wired: ExtINT delivery (the 8259 supplies the vector; arch/x86_64/pic.hpp) when
/// `on`, else masked. Only the boot CPU's LINT0 may be ExtINT.
void set_lint0_extint(bool on);

/// True once init() ran on the boot CPU and registers are x2APIC MSRs.
bool x2apic_mode();

/// Signal end of interrupt for the vector in service.
void eoi();

/// True if the local APIC has `vector` in service, i.e. it delivered the interrupt being handled. Vectors
/// raised by `int n` or by the legacy PIC are not.
bool in_service(Vector vector);

/// Send a fixed interrupt to the CPU with APIC ID `apic_id`, or to the executing CPU itself.
void send(std::uint32_t apic_id, Vector vector);
void send_self(Vector vector);

/// Start-up of another CPU (Intel SDM vol. 3, 9.4.4.1): INIT puts it into wait-for-SIPI (and stops one that
/// runs); a start-up IPI makes one in that state run real-mode code at page `page` << 12.
void send_init(std::uint32_t apic_id);
void send_startup(std::uint32_t apic_id, std::uint8_t page);

/// The timer, one-shot, divide-by-one: raise `vector` after `count` ticks. 0 stops it. Not in deadline mode.
void timer_start(std::uint32_t count, Vector vector);
void timer_stop();
/// From now on the timer raises `vector` when the TSC reaches the value given to timer_deadline() (SDM vol.
/// 3, 11.5.4.1); timer_stop() disarms it. Only where CPUID.1:ECX[24] offers the mode.
void timer_use_deadline_mode(Vector vector);
void timer_deadline(std::uint64_t tsc);
std::uint32_t timer_current();

} // namespace arch::x86::lapic
