// What each object costs its payer, from the ABI's charge table (janus::abi::charge).
#pragma once

#include <cstdint>

#include "kernel/abi/abi.hpp"

namespace kernel::charges {

namespace spec = janus::abi::charge;

/// pd_create: the pd, its 2^cap_order slots and its top-level page table, paid by the creator.
constexpr std::uint64_t pd(unsigned cap_order) {
    return spec::pd + (spec::cap_slot << cap_order) + spec::page_table;
}
/// thread_create: the thread with its UTCB page and extended-state page (the Thread object's charge) and its
/// reply object.
constexpr std::uint64_t thread_object = spec::thread + spec::utcb + spec::extended_state;
constexpr std::uint64_t reply_object = spec::reply;
constexpr std::uint64_t thread = thread_object + reply_object;
constexpr std::uint64_t endpoint = spec::endpoint;
constexpr std::uint64_t notification = spec::notification;
constexpr std::uint64_t irq = spec::irq;
constexpr std::uint64_t io_ports = spec::io_ports;
constexpr std::uint64_t mmio = spec::mmio;

} // namespace kernel::charges
