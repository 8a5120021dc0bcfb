#include "fuzz/syscalls/smp.hpp"

#include <functional>
#include <vector>

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

void run_smp_program(Sandbox& w, const std::uint8_t* data, std::size_t size) {
    const unsigned cpus = size ? 2 + data[0] % 3 : 2;
    w.reset(cpus);
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
    std::vector<std::function<void()>> code(cpus);
    for (unsigned c = 0; c < cpus; ++c)
        code[c] = [&w, &per_cpu, c] {
            for (const Record& step : per_cpu[c]) {
                std::uint8_t rec[record_bytes];
                for (std::size_t i = 0; i < record_bytes; ++i) rec[i] = step[i];
                run_record(w, rec, static_cast<int>(c));
                if (w.failed()) return;
            }
        };
    InputStrategy strategy(std::move(schedule));
    w.run_concurrently(code, &strategy);
}

} // namespace fuzzsys
