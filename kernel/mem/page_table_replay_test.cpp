// Hedron's replay idea, extended. An update's every store is recorded; then
//  * each intermediate memory state is walked by the independent walker at many addresses: each shows the
//    translation from before the update or the one after it (by the model), never anything else;
//  * torn walks: a hardware walker reads one entry per level at different moments, so each level is read from
//    its own state, at non-decreasing times. Every such combination must also give the old or the new
//    translation (all of them are enumerated, over the moments that matter to each probed address).
#include <gtest/gtest.h>
#include <map>
#include <set>

#include "kernel/mem/testing/page_table_world.hpp"

namespace {

using namespace kernel::mem;
using namespace kernel::mem::testing;

constexpr std::uint64_t K4 = 4096, M2 = 2ull << 20, G1 = 1ull << 30;

// Memory as of "after the first t recorded writes", for any t.
class VersionedMemory {
public:
    VersionedMemory(const TableRam& before, const std::vector<Write>& history) : base_(before) {
        for (std::size_t i = 0; i < history.size(); ++i)
            versions_[history[i].address].push_back({i + 1, history[i].after});
    }
    std::uint64_t read(PhysAddr pa, std::size_t t) const {
        auto it = versions_.find(pa);
        if (it == versions_.end()) return base_.read(pa);
        std::uint64_t v = base_.read(pa);
        for (auto [when, value] : it->second) {
            if (when > t) break;
            v = value;
        }
        return v;
    }

private:
    const TableRam& base_;
    std::map<PhysAddr, std::vector<std::pair<std::size_t, std::uint64_t>>> versions_;
};

struct Scenario {
    const char* name;
    std::function<void(World&, models::AddressSpace&)> setup;
    std::function<void(World&)> op;
    std::function<void(models::AddressSpace&)> model_op;
    VirtAddr va;
    std::uint64_t bytes;
};

void map_both(World& w, models::AddressSpace& m, VirtAddr va, PhysAddr pa, std::uint64_t bytes, PageSize size,
              Rights r) {
    ASSERT_TRUE(w.pt.map(va, pa, bytes, size, Attributes{r}, w.cleanup).ok());
    m.map(va, pa, bytes, bytes_of(size), to_model(r), models::Cache::write_back, false);
}

const Rights rw{true, false, false}, ro{}, rx{false, true, false};

std::vector<Scenario> scenarios() {
    auto nothing = [](World&, models::AddressSpace&) {};
    return {
        {"map_4k_into_empty", nothing,
         [](World& w) {
             (void)w.pt.map(0x7f12'3456'7000, 0x9000, K4, PageSize::size_4k, Attributes{rw}, w.cleanup);
         },
         [](models::AddressSpace& m) { m.map(0x7f12'3456'7000, 0x9000, K4, K4, to_model(rw), {}, false); },
         0x7f12'3456'7000, K4},
        {"map_2m_into_empty", nothing,
         [](World& w) {
             (void)w.pt.map(0x4060'0000, 0xa0'0000, M2, PageSize::size_2m, Attributes{rx}, w.cleanup);
         },
         [](models::AddressSpace& m) { m.map(0x4060'0000, 0xa0'0000, M2, M2, to_model(rx), {}, false); },
         0x4060'0000, M2},
        {"remap_4k_range_to_new_frames",
         [](World& w, models::AddressSpace& m) {
             map_both(w, m, 0x1000'0000, 0x50'0000, 8 * K4, PageSize::size_4k, rw);
         },
         [](World& w) {
             (void)w.pt.map(0x1000'2000, 0x70'0000, 3 * K4, PageSize::size_4k, Attributes{ro}, w.cleanup);
         },
         [](models::AddressSpace& m) { m.map(0x1000'2000, 0x70'0000, 3 * K4, K4, to_model(ro), {}, false); },
         0x1000'0000, 8 * K4},
        {"split_2m_by_4k_map",
         [](World& w, models::AddressSpace& m) {
             map_both(w, m, 0x60'0000, 0x80'0000, M2, PageSize::size_2m, rx);
         },
         [](World& w) {
             (void)w.pt.map(0x61'3000, 0x5000, K4, PageSize::size_4k, Attributes{rw}, w.cleanup);
         },
         [](models::AddressSpace& m) { m.map(0x61'3000, 0x5000, K4, K4, to_model(rw), {}, false); },
         0x60'0000, M2},
        {"split_1g_down_to_4k",
         [](World& w, models::AddressSpace& m) {
             map_both(w, m, G1, 0x80'0000'0000, G1, PageSize::size_1g, rw);
         },
         [](World& w) {
             (void)w.pt.map(G1 + 7 * M2 + 3 * K4, 0x5000, K4, PageSize::size_4k, Attributes{ro}, w.cleanup);
         },
         [](models::AddressSpace& m) {
             m.map(G1 + 7 * M2 + 3 * K4, 0x5000, K4, K4, to_model(ro), {}, false);
         },
         G1 + 7 * M2, M2},
        {"2m_over_4k_table",
         [](World& w, models::AddressSpace& m) {
             map_both(w, m, 0x20'0000, 0x30'0000, 5 * K4, PageSize::size_4k, rw);
         },
         [](World& w) {
             (void)w.pt.map(0x20'0000, 0xc0'0000, M2, PageSize::size_2m, Attributes{rx}, w.cleanup);
         },
         [](models::AddressSpace& m) { m.map(0x20'0000, 0xc0'0000, M2, M2, to_model(rx), {}, false); },
         0x20'0000, M2},
        {"1g_over_subtree",
         [](World& w, models::AddressSpace& m) {
             map_both(w, m, 2 * G1 + M2, 0x30'0000, 3 * K4, PageSize::size_4k, rw);
             map_both(w, m, 2 * G1 + 9 * M2, 0x40'0000, M2, PageSize::size_2m, rx);
         },
         [](World& w) {
             (void)w.pt.map(2 * G1, 0x40'0000'0000, G1, PageSize::size_1g, Attributes{ro}, w.cleanup);
         },
         [](models::AddressSpace& m) { m.map(2 * G1, 0x40'0000'0000, G1, G1, to_model(ro), {}, false); },
         2 * G1 + M2, 9 * M2},
        {"unmap_4k_pages",
         [](World& w, models::AddressSpace& m) {
             map_both(w, m, 0x1000'0000, 0x50'0000, 8 * K4, PageSize::size_4k, rw);
         },
         [](World& w) { (void)w.pt.unmap(0x1000'1000, 3 * K4, w.cleanup); },
         [](models::AddressSpace& m) { m.unmap(0x1000'1000, 3 * K4); }, 0x1000'0000, 8 * K4},
        {"unmap_part_of_2m",
         [](World& w, models::AddressSpace& m) {
             map_both(w, m, 0x60'0000, 0x80'0000, 2 * M2, PageSize::size_2m, rw);
         },
         [](World& w) { (void)w.pt.unmap(0x60'0000 + M2 - K4, 2 * K4, w.cleanup); },
         [](models::AddressSpace& m) { m.unmap(0x60'0000 + M2 - K4, 2 * K4); }, 0x60'0000, 2 * M2},
        {"unmap_covered_table",
         [](World& w, models::AddressSpace& m) {
             map_both(w, m, 0x20'0000, 0x30'0000, 5 * K4, PageSize::size_4k, rw);
         },
         [](World& w) { (void)w.pt.unmap(0x20'0000, M2, w.cleanup); },
         [](models::AddressSpace& m) { m.unmap(0x20'0000, M2); }, 0x20'0000, M2},
        {"protect_splitting_2m",
         [](World& w, models::AddressSpace& m) {
             map_both(w, m, 0x60'0000, 0x80'0000, 2 * M2, PageSize::size_2m, rw);
         },
         [](World& w) { (void)w.pt.protect(0x60'0000 + M2 - K4, 2 * K4, ro, w.cleanup); },
         [](models::AddressSpace& m) { m.protect(0x60'0000 + M2 - K4, 2 * K4, to_model(ro)); }, 0x60'0000,
         2 * M2},
    };
}

// Probes: the update's own range and its surroundings, page starts and odd offsets.
std::vector<VirtAddr> replay_probes(const Scenario& s) {
    std::vector<VirtAddr> p = probes(s.va, s.bytes, 24, 5);
    for (std::uint64_t off = 0; off < s.bytes && off < 16 * K4; off += K4) p.push_back(s.va + off + 8);
    return p;
}

std::string old_or_new(const hostsim::PageWalk& w, const models::AddressSpace& before,
                       const models::AddressSpace& after, VirtAddr va) {
    std::string a = walk_matches(w, before.lookup(va), va, false);
    if (a.empty()) return a;
    std::string b = walk_matches(w, after.lookup(va), va, false);
    if (b.empty()) return b;
    return "neither old (" + a + ") nor new (" + b + ")";
}

class Replay : public ::testing::TestWithParam<Scenario> {};

TEST_P(Replay, EveryIntermediateStateShowsTheOldOrTheNewTranslation) {
    const Scenario& s = GetParam();
    World w;
    models::AddressSpace before;
    s.setup(w, before);
    TableRam start = w.ram;
    w.mem.history.clear();
    w.mem.recording = true;
    s.op(w);
    w.mem.recording = false;
    models::AddressSpace after = before;
    s.model_op(after);
    ASSERT_FALSE(w.mem.history.empty());

    const std::vector<VirtAddr> at = replay_probes(s);
    // The final state is exactly the new one (page sizes included).
    for (VirtAddr va : at) ASSERT_EQ(walk_matches(w.walk(va), after.lookup(va), va), "") << std::hex << va;

    // Every single state.
    TableRam state = start;
    for (std::size_t i = 0; i < w.mem.history.size(); ++i) {
        state.word(w.mem.history[i].address) = w.mem.history[i].after;
        for (VirtAddr va : at) {
            ASSERT_EQ(old_or_new(w.walk_in(state, va), before, after, va), "")
                << std::hex << "va " << va << " after write " << std::dec << i + 1 << " of "
                << w.mem.history.size();
        }
    }

    // Torn walks. For each probe, the words any walk of it could read (level by level, following every value
    // the previous level's words ever held), and the moments one of them changed: every non-decreasing choice
    // of such a moment per level is a walk some interleaving can produce. All of them are checked.
    VersionedMemory versions(start, w.mem.history);
    hostsim::PagingMode mode;
    mode.pat = arch::PteEncoding::pat_msr;
    std::size_t checked = 0;
    for (VirtAddr va : at) {
        std::set<PhysAddr> words{w.pt.root() + 8 * ((va >> 39) & 511)}, frontier = words;
        for (unsigned level = 4; level > 1; --level) {
            std::set<PhysAddr> next;
            for (PhysAddr word : frontier) {
                std::vector<std::uint64_t> values{start.read(word)};
                for (const Write& wr : w.mem.history)
                    if (wr.address == word) values.push_back(wr.after);
                for (std::uint64_t v : values) { // present, and not a large page (SDM: P = bit 0, PS = bit 7)
                    if ((v & 1) && (level == 4 || !(v & 0x80)))
                        next.insert((v & 0x000f'ffff'ffff'f000) + 8 * ((va >> (12 + 9 * (level - 2))) & 511));
                }
            }
            words.insert(next.begin(), next.end());
            frontier = next;
        }
        std::vector<std::size_t> moments{0};
        for (std::size_t i = 0; i < w.mem.history.size(); ++i)
            if (words.count(w.mem.history[i].address)) moments.push_back(i + 1);
        ASSERT_LE(moments.size(), 64u) << "too many moments to enumerate";
        const std::size_t n = moments.size();
        for (std::size_t a = 0; a < n; ++a) {
            for (std::size_t b = a; b < n; ++b) {
                for (std::size_t c = b; c < n; ++c) {
                    for (std::size_t d = c; d < n; ++d) {
                        const std::size_t t[4] = {moments[a], moments[b], moments[c], moments[d]};
                        unsigned read = 0;
                        auto reader = [&](std::uint64_t pa) {
                            return versions.read(pa, t[std::min(read++, 3u)]);
                        };
                        std::string r =
                            old_or_new(hostsim::walk(reader, w.pt.root(), va, mode), before, after, va);
                        ASSERT_EQ(r, "")
                            << std::hex << "va " << va << std::dec << ", levels read after writes " << t[0]
                            << ", " << t[1] << ", " << t[2] << ", " << t[3];
                        ++checked;
                    }
                }
            }
        }
    }
    EXPECT_GT(checked, 0u);
}

INSTANTIATE_TEST_SUITE_P(PageTable, Replay, ::testing::ValuesIn(scenarios()),
                         [](const auto& info) { return std::string(info.param.name); });

} // namespace
