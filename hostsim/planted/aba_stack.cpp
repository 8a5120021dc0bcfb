// ABA in a lock-free (Treiber) stack of three nodes A -> B -> C. CPU0 pops once; CPU1 pops twice and pushes
// its first node back. If CPU0 reads top A and its successor B, then CPU1 pops A, pops B and pushes A, CPU0's
// compare-and-swap still sees A on top and installs B — a node CPU1 holds — as the new top. Fixed: the head
// carries a modification tag that every successful compare-and-swap increments.
#include <cstdint>

#include "arch/atomic.hpp"
#include "hostsim/planted/planted.hpp"

namespace hostsim::planted {
namespace {

class TreiberStack {
public:
    // head: low 32 bits = top node + 1 (0: empty), high 32 bits = tag. next[i]: the node below i, + 1.
    explicit TreiberStack(bool tagged) : tagged_(tagged) {}

    void push(std::uint32_t node) {
        std::uint64_t h = head.load();
        for (;;) {
            next[node].store(top(h));
            if (head.compare_exchange(h, successor(h, node + 1))) return;
        }
    }
    int pop() {
        std::uint64_t h = head.load();
        for (;;) {
            std::uint32_t t = top(h);
            if (t == 0) return -1;
            std::uint32_t below = next[t - 1].load();
            if (head.compare_exchange(h, successor(h, below))) return static_cast<int>(t - 1);
        }
    }

    arch::Atomic<std::uint64_t> head{0};
    arch::Atomic<std::uint32_t> next[3];

private:
    static std::uint32_t top(std::uint64_t h) { return static_cast<std::uint32_t>(h); }
    std::uint64_t successor(std::uint64_t old, std::uint32_t new_top) const {
        std::uint64_t tag = tagged_ ? (old >> 32) + 1 : 0;
        return tag << 32 | new_top;
    }

    bool tagged_;
};

void aba(Machine& m, bool fixed) {
    TreiberStack s(fixed);
    s.push(2);
    s.push(1);
    s.push(0); // A=0 on top of B=1 on top of C=2
    int held0 = -1, held1 = -1;
    m.start(0, [&] { held0 = s.pop(); });
    m.start(1, [&] {
        int first = s.pop();
        held1 = s.pop();
        s.push(static_cast<std::uint32_t>(first));
    });
    if (!m.run()) return;
    // Every node must be exactly once either on the stack or held by a CPU.
    int seen[3] = {};
    if (held0 >= 0) ++seen[held0];
    if (held1 >= 0) ++seen[held1];
    std::uint32_t t = static_cast<std::uint32_t>(s.head.raw());
    for (int hops = 0; t != 0 && hops < 4; ++hops) {
        ++seen[t - 1];
        t = s.next[t - 1].raw();
    }
    m.check(seen[0] == 1 && seen[1] == 1 && seen[2] == 1,
            "ABA: node counts A=%d B=%d C=%d (CPU0 holds %d, CPU1 holds %d)", seen[0], seen[1], seen[2],
            held0, held1);
}

[[maybe_unused]] const bool registered =
    plant("aba_stack", "ABA in a lock-free stack without a tag", small_machine(2),
          {*StrategySpec::parse("pct3"), 2000}, Verdict::check_failed, aba);

} // namespace
} // namespace hostsim::planted
