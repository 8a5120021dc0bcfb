#include "hostsim/usermode/sim_boot.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>

#include "arch/user.hpp"
#include "hostsim/port_bus.hpp"
#include "hostsim/uart16550.hpp"
#include "kernel/boot/bootinfo.hpp"
#include "kernel/boot/testing/multiboot2_builder.hpp"
#include "kernel/kernel.hpp"
#include "kernel/main.hpp"

namespace hostsim::usermode {

namespace {

namespace mb2 = kernel::boot::testing;

// Physical layout, as a PC firmware and GRUB would leave it: the information in low memory, the modules
// from 2 MiB on, one after another from page boundaries, usable RAM below 640 KiB and from 1 MiB on, the
// BIOS area in between reserved.
constexpr std::uint64_t info_pa = 0x1'0000;
constexpr std::uint64_t module_pa = 0x20'0000;
constexpr std::uint64_t page = 4096;

/// User code on this machine: arch::run_user, which hostsim hands to its UnicornUserMode (as
/// arch/x86_64/boot_main.cpp's runner hands it to the CPU).
class MachineRunner final : public kernel::UserRunner {
public:
    arch::UserExit run(arch::UserFrame& frame, arch::AddressSpaceRoot space,
                       const arch::SyscallHook* hook) override {
        return arch::run_user(frame, space, hook);
    }
};

} // namespace

BootResult boot(Machine& m, const BootSpec& spec) {
    BootResult result;
    const std::uint64_t ram = m.ram_size();
    if (!spec.modules.empty() && !spec.module.empty()) {
        m.fail(Verdict::check_failed, "boot: give the root task as `module` or as the first of `modules`");
        return result;
    }
    const std::vector<BootModule> modules =
        spec.modules.empty() ? std::vector<BootModule>{{spec.module, "roottask"}} : spec.modules;
    std::uint64_t end = module_pa;
    for (const BootModule& module : modules) end = (end + module.bytes.size() + page - 1) / page * page;
    if (ram < boot_memory || end > ram / 2) {
        m.fail(Verdict::check_failed, "boot: the machine needs at least 256 MiB and room for the modules");
        return result;
    }

    mb2::Mb2Builder info;
    info.loader_name("hostsim")
        .cmdline(spec.cmdline)
        .basic_meminfo(639, static_cast<std::uint32_t>((ram >> 10) - 1024))
        .mmap({{0, 0x9'fc00, mb2::e820::usable},
               {0x9'fc00, 0x400, mb2::e820::reserved},
               {0xf'0000, 0x1'0000, mb2::e820::reserved},
               {0x10'0000, ram - 0x10'0000, mb2::e820::usable}});
    std::uint64_t pa = module_pa;
    for (const BootModule& module : modules) {
        std::memcpy(m.ram() + pa, module.bytes.data(), module.bytes.size());
        info.module(static_cast<std::uint32_t>(pa), static_cast<std::uint32_t>(pa + module.bytes.size()),
                    module.cmdline);
        pa = (pa + module.bytes.size() + page - 1) / page * page;
    }
    const mb2::Bytes bytes = info.build();
    std::memcpy(m.ram() + info_pa, bytes.data(), bytes.size());

    UnicornUserMode::Config user = spec.user;
    user.settled = [] { return kernel::machine_kernel().lock.looks_free(); };
    UnicornUserMode user_mode(m, user);
    // COM1 (0x3f8, IRQ 4) as on the PC QEMU boots: a ring-3 driver holding its io_ports drives it.
    PortBus ports;
    Uart16550 com1(m, Uart16550::com1_line, {0, m.config().echo_console ? stderr : nullptr});
    com1.attach(ports, Uart16550::com1_base);
    m.set_port_bus(&ports);
    MachineRunner runner;

    m.start(0, [&runner] {
        kernel::print_banner();
        kernel::boot::WindowReader reader;
        static kernel::boot::BootInfo info; // large: not on the CPU's stack
        auto parsed = kernel::boot::parse(kernel::boot::Protocol::multiboot2, reader, info_pa, info);
        if (!parsed) kernel::boot_rejected(parsed.error());
        // As on a PC: the first MiB (where the information lies) stays out of the frame allocator.
        const kernel::mem::PhysRange reserved[] = {{0, 0x10'0000}};
        // The register pages a PC's kernel drives (I/O APIC, local APIC): mmio_create refuses them here too,
        // so the ring-3 suite sees the same device memory as under QEMU.
        const kernel::mem::PhysRange kernel_owned[] = {{0xfec0'0000, 0xfec0'1000},
                                                       {0xfee0'0000, 0xfee0'1000}};
        kernel::start(info, reserved, &runner, kernel_owned);
    });
    for (unsigned cpu = 1; cpu < m.cpu_count(); ++cpu) m.start(cpu, [] { kernel::start_secondary(); });
    m.run();
    result.status = m.outcome().exit_status;
    result.stats = user_mode.stats();
    result.com1 = com1.output();
    m.set_port_bus(nullptr);
    return result;
}

std::map<std::string, std::string> suite_results(const std::string& console) {
    std::map<std::string, std::string> out;
    std::size_t at = 0;
    while (at < console.size()) {
        std::size_t end = console.find('\n', at);
        if (end == std::string::npos) end = console.size();
        const std::string_view line(console.data() + at, end - at);
        for (const char* verdict : {"pass", "FAIL"}) {
            const std::string tag = std::string("[") + verdict + "] ";
            if (!line.starts_with(tag)) continue;
            std::string_view name = line.substr(tag.size());
            name = name.substr(0, name.find(' '));
            auto [where, fresh] = out.emplace(std::string(name), verdict);
            if (!fresh) where->second = "twice";
        }
        at = end + 1;
    }
    return out;
}

std::vector<std::byte> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(chars.size());
    if (!chars.empty()) std::memcpy(bytes.data(), chars.data(), chars.size());
    return bytes;
}

} // namespace hostsim::usermode
