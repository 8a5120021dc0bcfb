// One simulated CPU's store buffer (x86-TSO, Owens/Sarkar/Sewell 2009): relaxed and release stores wait here
// in program order until they are written to memory — the oldest first, when the explorer chooses, at a
// seq_cst fence or locked operation of the same CPU, or when the buffer is full. The CPU's own loads see its
// newest buffered store to the same location; other CPUs see only memory.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace hostsim {

class StoreBuffer {
public:
    struct Entry {
        volatile void* addr;
        std::uint64_t value;
        unsigned size;
    };
    /// Real x86 cores buffer a few dozen stores; a full buffer writes its oldest store first.
    static constexpr std::size_t capacity = 32;

    enum class Lookup { miss, hit, overlap };

    bool empty() const { return count_ == 0; }
    bool full() const { return count_ == capacity; }
    std::size_t size() const { return count_; }
    void clear() { head_ = count_ = 0; }

    void push(const Entry& e) { ring_[(head_ + count_++) % capacity] = e; }
    Entry pop_oldest() {
        Entry e = ring_[head_];
        head_ = (head_ + 1) % capacity;
        --count_;
        return e;
    }

    /// hit: the newest entry for exactly [addr, addr+size) is in *value. overlap: an entry covers part of the
    /// range differently (mixed-size access); the caller drains the buffer and reads memory.
    Lookup find(const volatile void* addr, unsigned size, std::uint64_t* value) const {
        auto lo = reinterpret_cast<std::uintptr_t>(addr);
        for (std::size_t i = count_; i-- > 0;) {
            const Entry& e = ring_[(head_ + i) % capacity];
            auto elo = reinterpret_cast<std::uintptr_t>(e.addr);
            if (elo == lo && e.size == size) {
                *value = e.value;
                return Lookup::hit;
            }
            if (elo < lo + size && lo < elo + e.size) return Lookup::overlap;
        }
        return Lookup::miss;
    }

private:
    std::array<Entry, capacity> ring_{};
    std::size_t head_ = 0;
    std::size_t count_ = 0;
};

} // namespace hostsim
