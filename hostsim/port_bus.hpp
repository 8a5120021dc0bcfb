// The simulated machine's I/O space (x86 `in`/`out`): devices claim port ranges; an access goes to the device
// whose range holds all of it. As on a PC, a read nobody answers returns all ones and a write nobody takes is
// dropped; an access that spans ranges (or unclaimed ports) is split into byte accesses in ascending port
// order, each answered by its own device or by the floating bus.
//
// Device calls are hostsim's own work (not scheduling points): they run inside the access of the CPU that
// made it, e.g. in the middle of a slice of user code (hostsim/usermode). Devices see offsets from their
// base.
#pragma once

#include <cstdint>
#include <vector>

namespace hostsim {

class PortDevice {
public:
    /// `size` (1, 2 or 4) bytes at `offset` from the device's first port; the value in the low bytes.
    virtual std::uint32_t port_read(std::uint32_t offset, unsigned size) = 0;
    virtual void port_write(std::uint32_t offset, unsigned size, std::uint32_t value) = 0;

protected:
    ~PortDevice() = default;
};

class PortBus {
public:
    /// Ports first .. first + count - 1 answer to `device`. False (nothing claimed) if the range is empty,
    /// leaves the 16-bit port space or overlaps a claimed one.
    bool claim(std::uint32_t first, std::uint32_t count, PortDevice& device);
    /// Every range of `device` is free again.
    void release(PortDevice& device);

    /// An access of `size` bytes (1, 2 or 4; anything else reads all ones and writes nothing).
    std::uint32_t read(std::uint32_t port, unsigned size);
    void write(std::uint32_t port, unsigned size, std::uint32_t value);

private:
    struct Range {
        std::uint32_t first, count;
        PortDevice* device;
    };
    const Range* owner(std::uint32_t port, unsigned size) const;

    std::vector<Range> ranges_;
};

} // namespace hostsim
