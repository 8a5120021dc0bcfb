#include "fuzz/syscalls/smp.hpp"

#include <functional>
#include <vector>

#include "arch/atomic.hpp"
#include "arch/cpu.hpp"
#include "hostsim/strategy.hpp"

namespace fuzzsys {

namespace {

/// Decides from the input's schedule bytes, then like the fair default scheduler.
class InputStrategy final : public hostsim::Strategy {
public:
    explicit InputStrategy(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}

    std::size_t pick(const hostsim::Decision& d) override {
        if (stay_ > 0 || at_ + 2 > bytes_.size()) {
            if (stay_ > 0) --stay_;
            return hostsim::default_pick(d);
        }
        stay_ = bytes_[at_];
        const std::uint8_t choice = bytes_[at_ + 1];
        at_ += 2;
        return choice % d.options.size();
    }

private:
    std::vector<std::uint8_t> bytes_;
    std::size_t at_ = 0;
    unsigned stay_ = 0;
};

} // namespace

Options smp_options() {
    Options o;
    o.machine_cpus = 4;
    o.check = Options::Check::state_changes;
    return o;
}

unsigned smp_cpus(const std::uint8_t* data, std::size_t size) {
    return size ? 2 + data[0] % 3 : 2;
}

void run_smp_program(Sandbox& w, const std::uint8_t* data, std::size_t size) {
    w.reset(smp_cpus(data, size));
    run_smp_steps(w, data, size);
}

void run_smp_steps(Sandbox& w, const std::uint8_t* data, std::size_t size) {
    const unsigned cpus = smp_cpus(data, size);
    using Record = std::array<std::uint8_t, record_bytes>;
    std::vector<std::vector<Record>> per_cpu(cpus);
    std::vector<std::uint8_t> schedule;
    for (std::size_t at = smp_header_bytes; at < size; at += smp_record_bytes) {
        std::uint8_t r[smp_record_bytes] = {};
        for (std::size_t i = 0; i < smp_record_bytes && at + i < size; ++i) r[i] = data[at + i];
        schedule.insert(schedule.end(), r + 1, r + 4);
        Record step;
        for (std::size_t i = 0; i < record_bytes; ++i) step[i] = r[4 + i];
        per_cpu[r[0] % cpus].push_back(step);
    }
    // A CPU whose next step needs a thread on it, while none can run there yet (not made, not started, or
    // waiting), waits for one as an idle CPU would: until another CPU's syscall provides it, or every CPU is
    // done or waiting like this (then the step is dropped). The counters are contract atomics, so the machine
    // sees a waiting CPU's condition change.
    arch::Atomic<unsigned> done{0}, idle{0};
    std::vector<std::function<void()>> code(cpus);
    for (unsigned c = 0; c < cpus; ++c)
        code[c] = [&w, &per_cpu, &done, &idle, c, cpus] {
            const int me = static_cast<int>(c);
            for (const Record& step : per_cpu[c]) {
                std::uint8_t rec[record_bytes];
                for (std::size_t i = 0; i < record_bytes; ++i) rec[i] = step[i];
                if (needs_actor(rec) && !actor_available(w, me)) {
                    // Idle, it takes interrupts (a shootdown another CPU waits for).
                    idle.fetch_add(1, arch::MemoryOrder::acq_rel);
                    arch::irq_enable();
                    while (!actor_available(w, me) && !w.failed() &&
                           done.load(arch::MemoryOrder::acquire) + idle.load(arch::MemoryOrder::acquire) <
                               cpus)
                        arch::cpu_relax();
                    arch::irq_disable();
                    idle.fetch_sub(1, arch::MemoryOrder::acq_rel);
                }
                run_record(w, rec, me);
                if (w.failed()) break;
            }
            done.fetch_add(1, arch::MemoryOrder::release);
        };
    InputStrategy strategy(std::move(schedule));
    w.run_concurrently(code, &strategy);
}

} // namespace fuzzsys
