#include "kernel/lifecycle/root.hpp"

#include "kernel/cap/derivation.hpp"
#include "kernel/lifecycle/factory.hpp"
#include "kernel/lifecycle/lifetime.hpp"
#include "kernel/obj/io_ports.hpp"
#include "kernel/obj/irq.hpp"
#include "kernel/obj/mmio.hpp"
#include "kernel/obj/pd.hpp"
#include "kernel/obj/thread.hpp"

namespace kernel {

namespace spec = janus::abi;

Result<Root, RootError> create_root(Kernel& kernel, const RootConfig& config) {
    if (kernel.root || kernel.irq_control || kernel.io_control || kernel.mmio_control)
        return fail(RootError::already_created);
    if (!CapSpace::valid_order(config.cap_order) || config.utcb % Kmem::page_bytes ||
        config.utcb > spec::user_end - Kmem::page_bytes || config.cpu >= kernel.cpu_count ||
        config.priority > 255)
        return fail(RootError::bad_config);

    auto pd = make_pd(kernel, nullptr, config.quota, config.cap_order);
    if (!pd) return fail(RootError::out_of_memory);
    Pd& root = *pd.value();
    cap_install_root(*root.space.slot(spec::root_sel::pd), root, spec::rights::all);
    kernel.root = &root;

    auto thread = make_thread(kernel, nullptr, root, config.utcb, config.priority, config.cpu);
    auto control = make_irq_control(kernel);
    auto io_control = make_io_control(kernel);
    auto mmio_control = make_mmio_control(kernel);
    if (!thread || !control || !io_control || !mmio_control) {
        destroy_all(kernel);
        return fail(RootError::out_of_memory);
    }
    cap_install_root(*root.space.slot(spec::root_sel::thread), *thread.value(), spec::rights::all);
    cap_install_root(*root.space.slot(spec::root_sel::irq_control), *control.value(), spec::rights::all);
    cap_install_root(*root.space.slot(spec::root_sel::io_control), *io_control.value(), spec::rights::all);
    cap_install_root(*root.space.slot(spec::root_sel::mmio_control), *mmio_control.value(),
                     spec::rights::all);
    return Root{&root, thread.value()};
}

void destroy_all(Kernel& kernel) {
    // Every object is paid by a domain that descends from a boot object, so dooming the boot objects
    // reaches everything.
    Doom doom(kernel);
    for (Object* o = kernel.boot_objects; o; o = o->paid_next) doom.add(*o);
    doom.commit();
}

} // namespace kernel
