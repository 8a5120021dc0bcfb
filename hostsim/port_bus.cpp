#include "hostsim/port_bus.hpp"

#include <algorithm>

namespace hostsim {

namespace {

constexpr std::uint32_t port_space = 0x1'0000;

bool valid_size(unsigned size) {
    return size == 1 || size == 2 || size == 4;
}

} // namespace

bool PortBus::claim(std::uint32_t first, std::uint32_t count, PortDevice& device) {
    if (count == 0 || first >= port_space || count > port_space - first) return false;
    for (const Range& r : ranges_)
        if (first < r.first + r.count && r.first < first + count) return false;
    ranges_.push_back({first, count, &device});
    return true;
}

void PortBus::release(PortDevice& device) {
    std::erase_if(ranges_, [&](const Range& r) { return r.device == &device; });
}

const PortBus::Range* PortBus::owner(std::uint32_t port, unsigned size) const {
    for (const Range& r : ranges_)
        if (port >= r.first && port - r.first + size <= r.count) return &r;
    return nullptr;
}

std::uint32_t PortBus::read(std::uint32_t port, unsigned size) {
    if (!valid_size(size)) return ~std::uint32_t{0};
    if (const Range* r = owner(port, size)) return r->device->port_read(port - r->first, size);
    std::uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i) {
        const Range* r = port + i < port_space ? owner(port + i, 1) : nullptr;
        const std::uint32_t byte = r ? r->device->port_read(port + i - r->first, 1) & 0xff : 0xff;
        value |= byte << (8 * i);
    }
    return value;
}

void PortBus::write(std::uint32_t port, unsigned size, std::uint32_t value) {
    if (!valid_size(size)) return;
    if (const Range* r = owner(port, size)) return r->device->port_write(port - r->first, size, value);
    for (unsigned i = 0; i < size; ++i) {
        const Range* r = port + i < port_space ? owner(port + i, 1) : nullptr;
        if (r) r->device->port_write(port + i - r->first, 1, (value >> (8 * i)) & 0xff);
    }
}

} // namespace hostsim
