// A linearizability checker for small recorded histories (host only): is there a sequential order of the
// operations, consistent with their real-time order, in which a sequential model explains every recorded
// result and the final state? Wing & Gong's search (try each operation that may come next, backtrack on a
// mismatch) with the memoisation Lowe and Porcupine add: the rest of the search depends only on which
// operations are already placed and on the model state they left, so a (placed set, state) pair that failed
// once fails again and is not searched twice.
//
// The checker knows nothing about page tables. An entry of the history is an operation, or one atomic piece
// of an operation that is not atomic as a whole (a range update that changes page after page): pieces of one
// operation share its invocation and response, and `after` chains them in the order the operation performs
// them.
//
// Real-time order: entry i must come before entry j when i's response precedes j's invocation (strictly;
// equal times are concurrent). Times come from one logical clock that orders every event of the run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

namespace kernel::mem::testing::lin {

/// When an entry of the history was called and returned.
struct Timing {
    std::uint64_t invoke = 0;
    std::uint64_t response = 0;
    int after = -1; ///< an entry that must be placed before this one (the previous piece), or -1
};

struct Result {
    bool linearizable = false;
    /// Linearizable: a witness order (entry indices). Otherwise the longest prefix the search could place
    /// (the point where every continuation failed): where to start reading the history.
    std::vector<std::size_t> order;
    std::uint64_t states = 0; ///< distinct (placed set, state) pairs searched
    bool gave_up = false;     ///< stopped at the state limit without an answer (counts as not linearizable)
};

/// At most 64 entries (the placed set is a bit mask). `step(State&, i)` applies entry i to the state and
/// returns whether its recorded result is what the model gives; `key(const State&)` is a string that equal
/// states and only equal states share; `final_ok(const State&)` says whether a complete order's state is the
/// recorded final state.
template <typename State, typename Step, typename Key, typename Final>
Result check(const std::vector<Timing>& history, const State& initial, Step step, Key key, Final final_ok,
             std::uint64_t state_limit = 2'000'000) {
    const std::size_t n = history.size();
    Result out;
    if (n > 64) return out;
    const std::uint64_t all = n == 64 ? ~0ull : (1ull << n) - 1;
    std::unordered_set<std::string> failed; // (placed set, state) pairs known to lead nowhere
    std::vector<std::size_t> order;

    // Depth-first; returns true once a complete order fits.
    auto search = [&](auto& self, std::uint64_t placed, const State& state) -> bool {
        if (placed == all) return final_ok(state);
        std::string memo(reinterpret_cast<const char*>(&placed), sizeof placed);
        memo += key(state);
        if (!failed.insert(std::move(memo)).second) return false;
        if (++out.states > state_limit) {
            out.gave_up = true;
            return false;
        }
        // An entry may come next only if no unplaced entry returned before it was invoked.
        std::uint64_t earliest_response = ~0ull;
        for (std::size_t i = 0; i < n; ++i)
            if (!(placed >> i & 1) && history[i].response < earliest_response)
                earliest_response = history[i].response;
        for (std::size_t j = 0; j < n && !out.gave_up; ++j) {
            if (placed >> j & 1) continue;
            const Timing& t = history[j];
            if (t.invoke > earliest_response) continue;
            if (t.after >= 0 && !(placed >> t.after & 1)) continue;
            State next = state;
            if (!step(next, j)) continue;
            order.push_back(j);
            if (order.size() > out.order.size()) out.order = order;
            if (self(self, placed | 1ull << j, next)) return true;
            order.pop_back();
        }
        return false;
    };
    out.linearizable = search(search, 0, initial);
    if (out.linearizable) out.order = order;
    return out;
}

} // namespace kernel::mem::testing::lin
