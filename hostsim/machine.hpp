// hostsim: the arch contract implemented on a Linux host, so the real kernel sources run inside test programs.
//
// A Machine owns simulated physical memory (one host buffer) and runs kernel code on simulated CPUs (fibers,
// exactly one running at a time). Kernel code calling arch::shutdown() leaves its fiber and the run returns the
// exit status, so a test can boot the kernel, watch it stop and inspect what it printed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "arch/cpu.hpp"

namespace hostsim {

struct Config {
    unsigned cpus = 1;
    std::size_t memory_bytes = 64u << 20; ///< simulated RAM, physical addresses [0, memory_bytes)
    bool echo_console = false;            ///< also copy console output to stderr
};

class Machine {
public:
    explicit Machine(const Config& config = {});
    ~Machine();
    Machine(const Machine&) = delete;
    Machine& operator=(const Machine&) = delete;

    /// Simulated physical memory.
    std::byte* ram() { return ram_.get(); }
    std::size_t ram_size() const { return config_.memory_bytes; }

    /// Run `kernel_code` on CPU 0 until it returns (nullopt) or calls arch::shutdown (its status).
    std::optional<arch::ExitStatus> run(const std::function<void()>& kernel_code);

    /// Everything the kernel wrote to its console on this machine.
    const std::string& console() const { return console_; }

    /// The machine whose kernel code is executing; null outside Machine::run.
    static Machine* current();

    // Contract back ends (called from hostsim's arch implementation).
    void console_write(std::string_view text);
    [[noreturn]] void shutdown(arch::ExitStatus status);
    arch::CpuId cpu_id() const { return current_cpu_; }
    unsigned cpu_count() const { return config_.cpus; }
    bool& irq_enabled_flag() { return irq_enabled_[current_cpu_]; }

private:
    struct Fibers;

    Config config_;
    std::unique_ptr<std::byte[]> ram_;
    std::string console_;
    arch::CpuId current_cpu_ = 0;
    std::unique_ptr<bool[]> irq_enabled_;
    std::unique_ptr<Fibers> fibers_;
};

} // namespace hostsim
