// x86 port I/O from ring 3: the in and out instructions, one inline function per width.
//
// A ring-3 thread may use a port while its protection domain's capability space holds an io_ports capability
// with read and write covering it (docs/abi.md io_create); any other port faults with #GP, which reaches the
// thread's exception handler like any other exception. These functions check nothing themselves: which ports
// a driver may touch is the kernel's business, not the instruction's.
#pragma once

#include <cstdint>

namespace janus::user {

inline std::uint8_t in8(std::uint16_t port) {
    std::uint8_t value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port) : "memory");
    return value;
}

inline std::uint16_t in16(std::uint16_t port) {
    std::uint16_t value;
    asm volatile("inw %1, %0" : "=a"(value) : "Nd"(port) : "memory");
    return value;
}

inline std::uint32_t in32(std::uint16_t port) {
    std::uint32_t value;
    asm volatile("inl %1, %0" : "=a"(value) : "Nd"(port) : "memory");
    return value;
}

// "memory": a device register access is ordered with the program's memory accesses around it (a driver that
// fills a buffer and then tells the device to read it must not have the stores moved after the out).
inline void out8(std::uint16_t port, std::uint8_t value) {
    asm volatile("outb %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

inline void out16(std::uint16_t port, std::uint16_t value) {
    asm volatile("outw %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

inline void out32(std::uint16_t port, std::uint32_t value) {
    asm volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

} // namespace janus::user
