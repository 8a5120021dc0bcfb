// Device access by capability: io_create (I/O ports, made from io_control), mmio_create and mmio_map
// (docs/abi.md "Device memory"). The kernel checks every range against the machine's device memory
// (Kernel::device_memory) when the object is made, so an mmio object never names RAM or a register page the
// kernel drives; mmio_map then only checks that the pages asked for lie inside the object.
#include "kernel/abi/abi.hpp"
#include "kernel/cap/derivation.hpp"
#include "kernel/kernel.hpp"
#include "kernel/lifecycle/factory.hpp"
#include "kernel/mapdb/mapdb.hpp"
#include "kernel/obj/io_ports.hpp"
#include "kernel/obj/mmio.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/syscall/call.hpp"

namespace kernel {

namespace spec = janus::abi;
using enum janus::abi::Error;

namespace {

constexpr std::uint64_t page = janus::abi::page_bytes;

} // namespace

Error sys_io_create(Call& call) {
    const std::uint64_t dest_sel = call.arg[0], control_sel = call.arg[1], first = call.arg[2],
                        count = call.arg[3];
    // Both bounds before the sum, so a huge `count` cannot wrap first + count below the limit.
    if (count == 0 || first >= spec::io_ports || count > spec::io_ports - first) return invalid_argument;
    Slot* control;
    if (Error e = lookup(call, control_sel, ObjectType::io_control, spec::rights::control, control); e != ok)
        return e;
    Slot* dest;
    if (Error e = destination(call.pd.space, dest_sel, dest); e != ok) return e;
    return install(make_io_ports(call.kernel, &call.pd, static_cast<std::uint32_t>(first),
                                 static_cast<std::uint32_t>(count)),
                   *dest);
}

Error sys_mmio_create(Call& call) {
    const std::uint64_t dest_sel = call.arg[0], control_sel = call.arg[1], phys = call.arg[2],
                        pages = call.arg[3], type = call.arg[4];
    // Stage 1: the range and type alone. Both bounds before the product, so a huge `pages` cannot wrap.
    if (type != spec::mmio_uncached && type != spec::mmio_write_combining) return invalid_argument;
    if (phys % page || phys >= spec::mmio_phys_limit || pages == 0 ||
        pages > (spec::mmio_phys_limit - phys) / page)
        return invalid_argument;
    Slot* control = call.pd.space.cap(control_sel);
    if (!control) return bad_selector;
    if (!has_type(*control, ObjectType::mmio_control)) return wrong_type;
    if (!has_rights(*control, spec::rights::control)) return missing_rights;
    // Stage 5: device memory only, and no second memory type for a page.
    const std::uint64_t end = phys + pages * page;
    const std::uint8_t memory_type =
        type == spec::mmio_uncached ? mapdb::flag::uncached : mapdb::flag::write_combining;
    if (!call.kernel.device_memory.is_device(phys, end)) return invalid_argument;
    if (aliases(call.kernel.mmio_anchors, phys, end, memory_type)) return invalid_argument;
    Slot* dest;
    if (Error e = destination(call.pd.space, dest_sel, dest); e != ok) return e;
    Result<Mmio*, Error> made = make_mmio(call.kernel, &call.pd, phys, pages, memory_type);
    if (made) link_live(call.kernel.mmio_anchors, *made.value()); // a live mmio object is on the anchor list
    return install(made, *dest);
}

Error sys_mmio_map(Call& call) {
    const std::uint64_t mmio_sel = call.arg[0], pd_sel = call.arg[1], vaddr = call.arg[2],
                        offset = call.arg[3], count = call.arg[4], rights = call.arg[5];
    if ((rights & ~spec::mmio_map_rights) || !(rights & spec::rights::read) || count == 0)
        return invalid_argument;
    Slot* device = call.pd.space.cap(mmio_sel);
    if (!device) return bad_selector;
    Slot* target = call.pd.space.cap(pd_sel);
    if (!target) return bad_selector;
    if (!has_type(*device, ObjectType::mmio) || !has_type(*target, ObjectType::pd)) return wrong_type;
    if (!has_rights(*device, rights) || !has_rights(*target, spec::rights::control)) return missing_rights;
    Mmio& mmio = as<Mmio>(*device->object());
    if (offset >= mmio.pages() || count > mmio.pages() - offset) return invalid_argument;
    return map_device_pages(call.kernel.mapdb, mmio.anchor, mmio.phys() + offset * janus::abi::page_bytes,
                            mmio.memory_type(), count, as<Pd>(*target->object()), vaddr, rights);
}

} // namespace kernel
