#include "arch/x86_64/lapic.hpp"

#include "arch/x86_64/cpu_ops.hpp"
#include "arch/x86_64/paging.hpp"
#include "arch/x86_64/vectors.hpp"

namespace arch::x86::lapic {

namespace {

// Register offsets (Intel SDM vol. 3, table 11-1).
constexpr std::uint32_t reg_id = 0x20;
constexpr std::uint32_t reg_tpr = 0x80;
constexpr std::uint32_t reg_eoi = 0xb0;
constexpr std::uint32_t reg_svr = 0xf0;
constexpr std::uint32_t reg_isr = 0x100; // eight registers, 0x10 apart, 32 vectors each
constexpr std::uint32_t reg_esr = 0x280;
constexpr std::uint32_t reg_icr_low = 0x300;
constexpr std::uint32_t reg_icr_high = 0x310;
constexpr std::uint32_t reg_lvt_timer = 0x320;
constexpr std::uint32_t reg_lvt_lint0 = 0x350;
constexpr std::uint32_t reg_lvt_error = 0x370;
constexpr std::uint32_t reg_timer_initial = 0x380;
constexpr std::uint32_t reg_timer_current = 0x390;
constexpr std::uint32_t reg_timer_divide = 0x3e0;

constexpr std::uint32_t x2apic_msr_base = 0x800;
constexpr std::uint32_t x2apic_self_ipi = 0x83f;

constexpr std::uint64_t apic_base_enable = 1u << 11;
constexpr std::uint64_t apic_base_x2apic = 1u << 10;
constexpr std::uint64_t apic_base_address = 0x000f'ffff'ffff'f000ull;

constexpr std::uint32_t svr_enable = 1u << 8;
constexpr std::uint32_t lvt_masked = 1u << 16;
constexpr std::uint32_t lvt_extint = 7u << 8; // delivery mode 111b
constexpr std::uint32_t icr_delivery_pending = 1u << 12;
constexpr std::uint32_t icr_assert = 1u << 14;
constexpr std::uint32_t icr_to_self = 1u << 18; // destination shorthand 01
constexpr std::uint32_t icr_init = 5u << 8;     // delivery mode 101
constexpr std::uint32_t icr_startup = 6u << 8;  // delivery mode 110
constexpr std::uint32_t divide_by_one = 0xb;
constexpr std::uint32_t lvt_timer_tsc_deadline = 2u << 17; // timer mode 10b
constexpr std::uint32_t msr_tsc_deadline = 0x6e0;

bool use_msrs = false;
bool deadline_mode = false;
volatile std::uint32_t* mmio = nullptr;

std::uint32_t read(std::uint32_t reg) {
    if (use_msrs) return static_cast<std::uint32_t>(rdmsr(x2apic_msr_base + reg / 16));
    return mmio[reg / 4];
}

void write(std::uint32_t reg, std::uint32_t value) {
    if (use_msrs) {
        wrmsr(x2apic_msr_base + reg / 16, value);
    } else {
        mmio[reg / 4] = value;
    }
}

void write_icr(std::uint32_t destination, std::uint32_t low) {
    if (use_msrs) {
        wrmsr(x2apic_msr_base + reg_icr_low / 16, (std::uint64_t{destination} << 32) | low);
        return;
    }
    while (read(reg_icr_low) & icr_delivery_pending) asm volatile("pause");
    write(reg_icr_high, destination << 24);
    write(reg_icr_low, low); // this write sends
}

} // namespace

bool init(std::uint32_t& apic_id) {
    static bool boot_cpu_done = false;
    std::uint64_t base = rdmsr(msr_apic_base);
    if (!boot_cpu_done) {
        use_msrs = base & apic_base_x2apic; // the firmware's choice for the boot CPU rules every CPU
        boot_cpu_done = true;
    } else if (use_msrs && !(base & apic_base_x2apic)) {
        // x2APIC mode is entered from xAPIC mode (SDM vol. 3, 11.12.5): enable first, then set EXTD.
        wrmsr(msr_apic_base, base | apic_base_enable);
        wrmsr(msr_apic_base, base | apic_base_enable | apic_base_x2apic);
    }
    if (!use_msrs) {
        wrmsr(msr_apic_base, base | apic_base_enable);
        if (!mmio) mmio = static_cast<volatile std::uint32_t*>(map_device(base & apic_base_address, 4096));
        if (!mmio) return false;
    }
    write(reg_tpr, 0);
    write(reg_lvt_lint0, lvt_masked);
    write(reg_lvt_error, lvt_masked | vector::spurious);
    write(reg_lvt_timer, lvt_masked | vector::local_timer);
    write(reg_timer_initial, 0);
    write(reg_timer_divide, divide_by_one);
    write(reg_svr, svr_enable | vector::spurious);
    write(reg_esr, 0); // the error status register latches on a write; twice clears it
    write(reg_esr, 0);
    eoi(); // nothing may be left in service from the firmware
    std::uint32_t id = read(reg_id);
    apic_id = use_msrs ? id : id >> 24;
    return true;
}

void set_lint0_extint(bool on) {
    write(reg_lvt_lint0, on ? lvt_extint : lvt_masked);
}

bool x2apic_mode() {
    return use_msrs;
}

void eoi() {
    write(reg_eoi, 0);
}

bool in_service(Vector v) {
    return (read(reg_isr + 0x10 * (v / 32)) >> (v % 32)) & 1;
}

void send(std::uint32_t apic_id, Vector v) {
    write_icr(apic_id, icr_assert | v);
}

void send_self(Vector v) {
    if (use_msrs) {
        wrmsr(x2apic_self_ipi, v);
    } else {
        write_icr(0, icr_to_self | icr_assert | v);
    }
}

void send_init(std::uint32_t apic_id) {
    write_icr(apic_id, icr_assert | icr_init);
}

void send_startup(std::uint32_t apic_id, std::uint8_t page) {
    write_icr(apic_id, icr_assert | icr_startup | page);
}

void timer_start(std::uint32_t count, Vector v) {
    write(reg_lvt_timer, v); // one-shot, unmasked
    write(reg_timer_initial, count);
}

void timer_use_deadline_mode(Vector v) {
    write(reg_lvt_timer, lvt_timer_tsc_deadline | v);
    // The LVT write (an MMIO store in xAPIC mode) must reach the APIC before the first WRMSR to the deadline,
    // which is not ordered with it (Intel SDM vol. 3, 11.5.4.1).
    asm volatile("mfence" : : : "memory");
    deadline_mode = true;
}

void timer_deadline(std::uint64_t tsc) {
    wrmsr(msr_tsc_deadline, tsc);
}

void timer_stop() {
    if (deadline_mode) {
        wrmsr(msr_tsc_deadline, 0); // disarms, and the mode stays
        return;
    }
    write(reg_timer_initial, 0);
    write(reg_lvt_timer, lvt_masked | vector::local_timer);
}

std::uint32_t timer_current() {
    return read(reg_timer_current);
}

} // namespace arch::x86::lapic
