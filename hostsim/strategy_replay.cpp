// Follows a recorded schedule decision by decision. Any mismatch — a recorded choice that is not possible at
// its decision, a run needing more decisions than recorded, or ending before using them all — is a
// divergence: the scenario did not behave as when the schedule was recorded.
#include "hostsim/schedule.hpp"
#include "hostsim/strategy.hpp"

namespace hostsim {

namespace {

class ReplayStrategy final : public Strategy {
public:
    explicit ReplayStrategy(std::vector<Choice> schedule) : schedule_(std::move(schedule)) {}

    std::size_t pick(const Decision& d) override {
        if (pos_ >= schedule_.size()) {
            divergence_ =
                "the run needs more than the " + std::to_string(schedule_.size()) + " recorded decisions";
            return diverged;
        }
        Choice want = schedule_[pos_];
        for (std::size_t i = 0; i < d.options.size(); ++i)
            if (d.options[i] == want) {
                ++pos_;
                return i;
            }
        divergence_ = "decision " + std::to_string(pos_) + " recorded " + encode_schedule({&want, 1}) +
                      " but only " + encode_schedule(d.options) + " is possible";
        return diverged;
    }
    std::string divergence() const override { return divergence_; }
    bool complete() override {
        if (pos_ == schedule_.size()) return true;
        divergence_ = "the run ended after " + std::to_string(pos_) + " of " +
                      std::to_string(schedule_.size()) + " recorded decisions";
        return false;
    }

private:
    std::vector<Choice> schedule_;
    std::size_t pos_ = 0;
    std::string divergence_;
};

} // namespace

std::unique_ptr<Strategy> make_replay(std::vector<Choice> schedule) {
    return std::make_unique<ReplayStrategy>(std::move(schedule));
}

} // namespace hostsim
