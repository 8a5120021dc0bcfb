#include "fuzz/syscalls/mutator.hpp"

#include <cstdlib>
#include <cstring>
#include <random>

#include "fuzz/syscalls/program.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace fuzzsys {

namespace {

bool plain() {
    static const bool p = std::getenv("JANUS_FUZZ_PLAIN_MUTATOR") != nullptr;
    return p;
}

} // namespace

std::size_t mutate_program(const Layout& l, std::uint8_t* data, std::size_t size, std::size_t max_size,
                           unsigned seed) {
    if (plain() || size < l.header) return LLVMFuzzerMutate(data, size, max_size);
    std::minstd_rand rng(seed);
    auto below = [&rng](std::size_t n) { return n ? static_cast<std::size_t>(rng() % n) : 0; };
    const std::size_t records = (size - l.header) / l.record;
    const std::size_t room = max_size >= l.header ? (max_size - l.header) / l.record : 0;
    size = l.header + records * l.record; // drop a partial tail record
    auto at = [&](std::size_t r) { return data + l.header + r * l.record; };

    switch (below(8)) {
    case 0: // insert a fresh record (random bytes, a random step kind)
        if (records < room) {
            std::size_t r = below(records + 1);
            std::memmove(at(r + 1), at(r), (records - r) * l.record);
            for (std::size_t i = 0; i < l.record; ++i) at(r)[i] = static_cast<std::uint8_t>(rng());
            return size + l.record;
        }
        break;
    case 1: // delete one
        if (records > 1) {
            std::size_t r = below(records);
            std::memmove(at(r), at(r + 1), (records - r - 1) * l.record);
            return size - l.record;
        }
        break;
    case 2: // duplicate one next to itself or elsewhere
        if (records < room && records > 0) {
            std::size_t from = below(records), to = below(records + 1);
            std::uint8_t copy[64];
            std::memcpy(copy, at(from), l.record);
            std::memmove(at(to + 1), at(to), (records - to) * l.record);
            std::memcpy(at(to), copy, l.record);
            return size + l.record;
        }
        break;
    case 3: // swap two
        if (records > 1) {
            std::size_t a = below(records), b = below(records);
            std::uint8_t tmp[64];
            std::memcpy(tmp, at(a), l.record);
            std::memcpy(at(a), at(b), l.record);
            std::memcpy(at(b), tmp, l.record);
            return size;
        }
        break;
    case 4: // another step kind, same arguments
        if (records > 0) {
            at(below(records))[l.kind_at] = static_cast<std::uint8_t>(below(step_kinds()));
            return size;
        }
        break;
    default: // libFuzzer's byte mutations inside one record (or the header)
        if (records > 0 && below(8) != 0) {
            std::uint8_t* r = at(below(records));
            std::size_t n = LLVMFuzzerMutate(r, l.record, l.record);
            if (n < l.record) std::memset(r + n, 0, l.record - n);
            return size;
        }
        if (l.header) {
            LLVMFuzzerMutate(data, l.header, l.header);
            return size;
        }
        break;
    }
    return LLVMFuzzerMutate(data, size, max_size);
}

std::size_t cross_over_programs(const Layout& l, const std::uint8_t* a, std::size_t a_size,
                                const std::uint8_t* b, std::size_t b_size, std::uint8_t* out,
                                std::size_t max_out, unsigned seed) {
    std::minstd_rand rng(seed);
    if (plain()) { // a byte-level splice, as libFuzzer's own cross-over does
        std::size_t take_a = a_size ? rng() % (a_size + 1) : 0, from_b = b_size ? rng() % (b_size + 1) : 0;
        std::size_t n = take_a + b_size - from_b;
        if (n > max_out) n = max_out;
        if (take_a > n) take_a = n;
        std::memcpy(out, a, take_a);
        std::memcpy(out + take_a, b + from_b, n - take_a);
        return n;
    }
    if (a_size < l.header || b_size < l.header || max_out < l.header) return 0;
    const std::size_t ra = (a_size - l.header) / l.record, rb = (b_size - l.header) / l.record;
    // A prefix of a, then a suffix of b, at record boundaries.
    std::size_t take_a = ra ? rng() % (ra + 1) : 0, from_b = rb ? rng() % (rb + 1) : 0;
    std::size_t n = l.header + (take_a + rb - from_b) * l.record;
    while (n > max_out && take_a > 0) {
        --take_a;
        n -= l.record;
    }
    if (n > max_out) return 0;
    std::memcpy(out, a, l.header + take_a * l.record);
    std::memcpy(out + l.header + take_a * l.record, b + l.header + from_b * l.record,
                (rb - from_b) * l.record);
    return n;
}

} // namespace fuzzsys
