#include "hostsim/machine.hpp"

#include <boost/context/fiber.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace hostsim {

namespace ctx = boost::context;

namespace {
thread_local Machine* current_machine = nullptr;
}

// The kernel runs on its own fiber; `back` is the way out to the host side that called run().
struct Machine::Fibers {
    ctx::fiber back;
    std::optional<arch::ExitStatus> status;
};

Machine::Machine(const Config& config)
    : config_(config), ram_(new std::byte[config.memory_bytes]()), irq_enabled_(new bool[config.cpus]()),
      fibers_(std::make_unique<Fibers>()) {}

Machine::~Machine() = default;

Machine* Machine::current() { return current_machine; }

std::optional<arch::ExitStatus> Machine::run(const std::function<void()>& kernel_code) {
    Machine* outer = current_machine;
    current_machine = this;
    fibers_->status.reset();
    ctx::fiber kernel{[this, &kernel_code](ctx::fiber&& back) {
        fibers_->back = std::move(back);
        kernel_code();
        return std::move(fibers_->back);
    }};
    kernel = std::move(kernel).resume();
    // A kernel that called shutdown() is left suspended; dropping its fiber unwinds and frees its stack.
    current_machine = outer;
    return fibers_->status;
}

void Machine::console_write(std::string_view text) {
    console_.append(text);
    if (config_.echo_console) std::fwrite(text.data(), 1, text.size(), stderr);
}

void Machine::shutdown(arch::ExitStatus status) {
    fibers_->status = status;
    fibers_->back = std::move(fibers_->back).resume();
    // Only reached if someone resumed a stopped kernel, which run() never does.
    std::fprintf(stderr, "hostsim: a stopped kernel was resumed\n");
    std::abort();
}

} // namespace hostsim
