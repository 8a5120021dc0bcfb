// Linearizability of the frame allocator (issue 16): random programs of allocate (orders 0-3), release and
// retire of blocks the CPU holds, release of a block it may not hold (someone else's, one already given back,
// the wrong order), release_batch and free_frames on 2-4 simulated CPUs under the explorer. Every call's
// invocation and response is stamped with the machine's step counter (page_table_lin_scenarios.cpp does the
// same), and after the run the history must have an order consistent with real time in which a sequential
// model of a buddy allocator explains every answer and the final state (linearizability.hpp).
//
// Synchronisation: FrameAllocator serialises every call with its own Spinlock (frame_allocator.hpp); the
// kernel also calls it under the big kernel lock, but nothing relies on that, and the scenarios call it
// without it, so the allocator's lock alone is what is checked. Each call is therefore one atomic entry of
// the history (no pieces). The lock's exchange, loads and release store are the scheduling points; the
// bookkeeping in between is plain data in host memory.
//
// The model does not copy the buddy algorithm, only what the allocator promises: allocate(k) gives a block
// of 2^k donated frames aligned to its size, all free, and answers nullopt only when no such block is free
// (a buddy system that merges eagerly finds every free aligned block); release and retire accept exactly a
// block allocated with that order and not given back since (whoever allocated it); a retired block stays
// unusable until its batch is released; free_frames() counts free frames. The final state is the set of free
// frames (drained with allocate(0) after the run), the frames in each CPU's batch and the allocator's own
// invariant check.
#include <array>
#include <bit>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "arch/cpu.hpp"
#include "hostsim/explorer.hpp"
#include "kernel/mem/frame_allocator.hpp"
#include "kernel/mem/testing/linearizability.hpp"

namespace {

using namespace kernel::mem;
using hostsim::Machine;
using hostsim::Scenario;

// The allocator manages 32 frames from physical 0, of which [1, 24) and [26, 32) are donated: a hole, an
// unaligned start and blocks of order 3 contended by a few allocations.
constexpr unsigned span_frames = 32;
constexpr std::uint64_t donated_mask = ((1ull << 24) - 2) | (((1ull << 32) - 1) & ~((1ull << 26) - 1));
constexpr unsigned max_cpus = 4;

enum class Op : std::uint8_t { allocate, release, retire, release_batch, free_frames };

struct Event {
    unsigned cpu = 0;
    Op op = Op::allocate;
    unsigned order = 0;
    PhysAddr pa = 0;                   ///< release, retire
    std::optional<PhysAddr> allocated; ///< allocate's answer
    bool accepted = false;             ///< release's and retire's answer
    std::uint64_t count = 0;           ///< free_frames' answer
    std::uint64_t invoke = 0, response = 0;
};

// What a CPU means to do; the block a release or retire names is chosen when it runs (the blocks it holds
// then depend on what its allocations got).
enum class Intent : std::uint8_t { allocate, release_held, retire_held, release_other, release_batch, count };
struct Step {
    Intent intent;
    unsigned order;
    std::uint32_t pick;
};
using Program = std::vector<std::vector<Step>>;

Program random_program(std::uint64_t seed, unsigned cpus, unsigned steps) {
    std::mt19937_64 rng(seed);
    Program p(cpus);
    for (auto& cpu : p) {
        for (unsigned i = 0; i < steps; ++i) {
            const unsigned r = static_cast<unsigned>(rng() % 20);
            Intent in = r < 8    ? Intent::allocate
                        : r < 12 ? Intent::release_held
                        : r < 15 ? Intent::retire_held
                        : r < 17 ? Intent::release_other
                        : r < 19 ? Intent::release_batch
                                 : Intent::count;
            cpu.push_back({in, static_cast<unsigned>(rng() % 4), static_cast<std::uint32_t>(rng())});
        }
    }
    return p;
}

struct Sim {
    std::vector<FrameInfo> info = std::vector<FrameInfo>(span_frames);
    FrameAllocator frames;
    // Per CPU, each touched only by its CPU.
    std::array<std::vector<Event>, max_cpus> events;
    std::array<std::vector<std::pair<PhysAddr, unsigned>>, max_cpus> held;
    std::array<RetiredBatch, max_cpus> batch;

    void perform(Machine& m, const Step& s) {
        const unsigned c = arch::cpu_id();
        Event e;
        e.cpu = c;
        e.order = s.order;
        Intent in = s.intent;
        if ((in == Intent::release_held || in == Intent::retire_held) && held[c].empty())
            in = Intent::release_other;
        std::size_t which = 0;
        if (in == Intent::release_held || in == Intent::retire_held) {
            which = s.pick % held[c].size();
            e.pa = held[c][which].first;
            e.order = held[c][which].second;
            held[c].erase(held[c].begin() + static_cast<std::ptrdiff_t>(which));
        } else if (in == Intent::release_other) {
            // Any block, aligned to its order or not: someone else's, free, or the wrong size.
            e.pa = static_cast<PhysAddr>(s.pick % span_frames) << frame_shift;
            if (s.pick >> 16 & 1) e.pa &= ~((frame_size << s.order) - 1);
        }
        e.invoke = m.outcome().steps;
        switch (in) {
        case Intent::allocate:
            e.op = Op::allocate;
            e.allocated = frames.allocate(s.order);
            if (e.allocated) held[c].push_back({*e.allocated, s.order});
            break;
        case Intent::release_held:
        case Intent::release_other:
            e.op = Op::release;
            e.accepted = frames.release(e.pa, e.order);
            break;
        case Intent::retire_held:
            e.op = Op::retire;
            e.accepted = frames.retire(e.pa, e.order, batch[c]);
            break;
        case Intent::release_batch:
            e.op = Op::release_batch;
            frames.release_batch(batch[c]);
            break;
        case Intent::count:
            e.op = Op::free_frames;
            e.count = frames.free_frames();
            break;
        }
        e.response = m.outcome().steps;
        events[c].push_back(e);
    }
};

// The sequential specification's state: free frames, allocated blocks (head frame -> order) and each CPU's
// retired blocks.
struct Model {
    std::uint64_t free = donated_mask;
    std::map<unsigned, unsigned> allocated;
    std::array<std::map<unsigned, unsigned>, max_cpus> retired;

    static std::uint64_t block(unsigned f, unsigned order) { return ((1ull << (1u << order)) - 1) << f; }

    bool take(PhysAddr pa, unsigned order, unsigned& f) {
        if ((pa & (frame_size - 1)) != 0 || (pa >> frame_shift) >= span_frames) return false;
        f = static_cast<unsigned>(pa >> frame_shift);
        auto it = allocated.find(f);
        if (it == allocated.end() || it->second != order) return false;
        allocated.erase(it);
        return true;
    }

    bool apply(const Event& e) {
        switch (e.op) {
        case Op::allocate: {
            const unsigned n = 1u << e.order;
            if (!e.allocated) {
                for (unsigned f = 0; f + n <= span_frames; f += n)
                    if ((free & block(f, e.order)) == block(f, e.order)) return false; // one was free
                return true;
            }
            const PhysAddr pa = *e.allocated;
            if ((pa & ((frame_size << e.order) - 1)) != 0 || (pa >> frame_shift) + n > span_frames)
                return false;
            const unsigned f = static_cast<unsigned>(pa >> frame_shift);
            if ((free & block(f, e.order)) != block(f, e.order))
                return false; // not free: a double allocation
            free &= ~block(f, e.order);
            allocated[f] = e.order;
            return true;
        }
        case Op::release:
        case Op::retire: {
            unsigned f = 0;
            const bool ok = take(e.pa, e.order, f);
            if (ok != e.accepted) return false; // the checker drops this state
            if (ok) {
                if (e.op == Op::release)
                    free |= block(f, e.order);
                else
                    retired[e.cpu][f] = e.order;
            }
            return true;
        }
        case Op::release_batch:
            for (auto [f, order] : retired[e.cpu]) free |= block(f, order);
            retired[e.cpu].clear();
            return true;
        case Op::free_frames:
            return e.count == static_cast<std::uint64_t>(std::popcount(free));
        }
        return false;
    }

    std::string key() const {
        std::string s(reinterpret_cast<const char*>(&free), sizeof free);
        for (auto [f, o] : allocated) s += {'a', static_cast<char>(f), static_cast<char>(o)};
        for (unsigned c = 0; c < max_cpus; ++c)
            for (auto [f, o] : retired[c])
                s += {'r', static_cast<char>(c), static_cast<char>(f), static_cast<char>(o)};
        return s;
    }

    std::uint64_t retired_frames(unsigned cpu) const {
        std::uint64_t n = 0;
        for (auto [f, o] : retired[cpu]) n += 1u << o;
        return n;
    }
};

std::string frames_of(std::uint64_t mask) {
    std::string s;
    for (unsigned f = 0; f < span_frames;) {
        if (!(mask >> f & 1)) {
            ++f;
            continue;
        }
        unsigned g = f;
        while (g < span_frames && (mask >> g & 1)) ++g;
        if (!s.empty()) s += ",";
        s += g == f + 1 ? std::to_string(f) : std::to_string(f) + "-" + std::to_string(g - 1);
        f = g;
    }
    return "{" + s + "}";
}

std::string describe(const Event& e) {
    char b[160];
    const auto frame = [](PhysAddr pa) { return static_cast<unsigned long long>(pa >> frame_shift); };
    switch (e.op) {
    case Op::allocate:
        if (e.allocated)
            std::snprintf(b, sizeof b, "allocate(%u) -> frame %llu", e.order, frame(*e.allocated));
        else
            std::snprintf(b, sizeof b, "allocate(%u) -> none", e.order);
        break;
    case Op::release:
    case Op::retire:
        std::snprintf(b, sizeof b, "%s(frame %llu%s, %u) -> %s", e.op == Op::release ? "release" : "retire",
                      frame(e.pa), (e.pa & (frame_size - 1)) ? "+" : "", e.order,
                      e.accepted ? "accepted" : "refused");
        break;
    case Op::release_batch:
        std::snprintf(b, sizeof b, "release_batch");
        break;
    case Op::free_frames:
        std::snprintf(b, sizeof b, "free_frames -> %llu", static_cast<unsigned long long>(e.count));
        break;
    }
    return b;
}

std::string describe(const Model& m) {
    std::string s = "free " + frames_of(m.free) + " allocated {";
    bool first = true;
    for (auto [f, o] : m.allocated) {
        s += (first ? "" : ",") + std::to_string(f) + "/" + std::to_string(o);
        first = false;
    }
    s += "}";
    for (unsigned c = 0; c < max_cpus; ++c)
        if (!m.retired[c].empty())
            s += " cpu" + std::to_string(c) + " retired " + std::to_string(m.retired_frames(c));
    return s;
}

void run_program(Machine& m, const Program& p) {
    auto s = std::make_unique<Sim>();
    m.run([&] {
        s->frames.init(*FrameAllocator::span_covering(0, span_frames * frame_size), s->info.data());
        m.check(s->frames.add_free_range(1 * frame_size, 24 * frame_size) &&
                    s->frames.add_free_range(26 * frame_size, 32 * frame_size),
                "donations refused");
    });
    if (m.outcome().failed()) return;
    for (unsigned c = 0; c < p.size(); ++c)
        m.start(c, [&, c] {
            for (const Step& step : p[c]) s->perform(m, step);
        });
    m.run();
    if (m.outcome().failed()) return;

    // The final state: what each CPU's batch holds, then every free frame, drained with allocate(0).
    std::array<std::uint64_t, max_cpus> batch_frames{};
    for (unsigned c = 0; c < max_cpus; ++c) batch_frames[c] = s->batch[c].frames;
    std::uint64_t drained = 0;
    std::optional<std::uint64_t> twice; // a frame the drain got twice: no state explains that
    bool invariants = false;
    std::uint64_t retired_total = 0;
    m.run([&] {
        invariants = s->frames.check_invariants();
        retired_total = s->frames.retired_frames();
        while (auto pa = s->frames.allocate(0)) {
            const std::uint64_t f = *pa >> frame_shift;
            if (f >= span_frames || (drained >> f & 1)) {
                twice = f;
                break;
            }
            drained |= 1ull << f;
        }
    });
    if (m.outcome().failed()) return;

    std::vector<Event> events;
    for (unsigned c = 0; c < p.size(); ++c)
        events.insert(events.end(), s->events[c].begin(), s->events[c].end());
    std::vector<kernel::mem::testing::lin::Timing> timings;
    for (const Event& e : events) timings.push_back({e.invoke, e.response, -1});
    const auto r = kernel::mem::testing::lin::check(
        timings, Model{}, [&](Model& model, std::size_t i) { return model.apply(events[i]); },
        [](const Model& model) { return model.key(); },
        [&](const Model& model) {
            std::uint64_t retired = 0;
            for (unsigned c = 0; c < max_cpus; ++c) {
                if (model.retired_frames(c) != batch_frames[c]) return false;
                retired += batch_frames[c];
            }
            return !twice && model.free == drained && retired == retired_total;
        });
    if (r.linearizable) {
        m.check(invariants, "frame allocator bookkeeping broken after the run");
        return;
    }

    // One line: each CPU's calls with their times and answers, the longest order explained, the model after
    // it and the allocator's final state.
    std::string text = "no order of the calls explains the history (" + std::to_string(r.states) +
                       " states searched" + (r.gave_up ? ", gave up" : "") + "; donated " +
                       frames_of(donated_mask) + ")";
    for (std::size_t i = 0; i < events.size(); ++i) {
        const Event& e = events[i];
        text += " | cpu" + std::to_string(e.cpu) + " #" + std::to_string(i) + " [" +
                std::to_string(e.invoke) + ", " + std::to_string(e.response) + "] " + describe(e);
    }
    Model model;
    text += " | longest explainable order:";
    for (std::size_t k : r.order) {
        text += " #" + std::to_string(k);
        model.apply(events[k]);
    }
    text += " | model after it: " + describe(model);
    text += " | allocator at the end: free " + frames_of(drained);
    if (twice) text += " (allocate(0) then handed out frame " + std::to_string(*twice) + " again)";
    if (!invariants) text += " (check_invariants fails)";
    for (unsigned c = 0; c < max_cpus; ++c)
        if (batch_frames[c])
            text += " cpu" + std::to_string(c) + " retired " + std::to_string(batch_frames[c]);
    m.fail(hostsim::Verdict::check_failed, text);
}

// Targeted: one block given back by two CPUs at once. On a fresh allocator allocate(1) hands out frames 2-3
// (the donation's first order-1 block); cpu0 allocates it and releases it, cpu1 releases "frame 2, order 1"
// without holding it, twice, around an allocation of its own, and cpu2 allocates order-1 blocks. Exactly one
// of the concurrent releases may be accepted, and no block may be handed out twice.
Program give_back_twice() {
    const Step alloc1{Intent::allocate, 1, 0}, release_mine{Intent::release_held, 1, 0},
        release_2{Intent::release_other, 1, 2}, count{Intent::count, 0, 0};
    return {{alloc1, release_mine, alloc1, release_mine},
            {release_2, alloc1, release_2, count},
            {alloc1, alloc1, count}};
}

Scenario base(std::string name, std::string description, unsigned cpus, std::uint64_t runs) {
    Scenario sc;
    sc.name = std::move(name);
    sc.description = std::move(description);
    sc.config.cpus = cpus;
    sc.config.memory_bytes = 64u << 10;
    sc.config.step_budget = 200'000;
    sc.plan = {{*hostsim::StrategySpec::parse("random"), runs},
               {*hostsim::StrategySpec::parse("pct3"), runs}};
    return sc;
}

template <std::uint64_t Seed, unsigned Cpus, unsigned Steps>
Scenario mix(std::uint64_t runs) {
    Scenario sc =
        base("frames.lin.mix" + std::to_string(Seed),
             "linearizability: a random mix of " + std::to_string(Steps) +
                 " frame-allocator calls (allocate, release, retire, release_batch, free_frames) on "
                 "each of " +
                 std::to_string(Cpus) + " CPUs, checked against a buddy-allocator specification",
             Cpus, runs);
    sc.body = [](Machine& m) { run_program(m, random_program(Seed, Cpus, Steps)); };
    return sc;
}

[[maybe_unused]] const bool registered[] = {
    hostsim::register_scenario(mix<1, 2, 8>(1000)),
    hostsim::register_scenario(mix<2, 3, 6>(1000)),
    hostsim::register_scenario(mix<3, 4, 4>(1000)),
    hostsim::register_scenario(mix<4, 3, 6>(1000)),
    hostsim::register_scenario([] {
        Scenario sc =
            base("frames.lin.give_back_twice",
                 "linearizability: two CPUs release one block at once while a third allocates, checked "
                 "against a buddy-allocator specification",
                 3, 1000);
        sc.body = [](Machine& m) { run_program(m, give_back_twice()); };
        return sc;
    }()),
};

} // namespace
