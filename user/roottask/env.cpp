#include "user/roottask/env.hpp"

#include "kernel/abi/abi.hpp"

namespace roottask {

namespace {

janus::user::StartInfo start_words{};
std::uint64_t pool_used = 0;

} // namespace

void set_start(const janus::user::StartInfo& start) {
    start_words = start;
}

bool booted() {
    return start_words.word0 == janus::abi::root_mem::pool && start_words.word1 != 0 &&
           start_words.word1 <= janus::abi::root_mem::pool_max_bytes;
}

std::uint64_t cpus() {
    return booted() && start_words.word2 > 0 ? start_words.word2 : 1;
}

std::uint64_t next_cpu() {
    static std::uint64_t turn = 0;
    const std::uint64_t n = cpus();
    return n - 1 - turn++ % n;
}

Vaddr take_pages(std::uint64_t pages) {
    const std::uint64_t bytes = pages * 4096;
    if (!booted() || bytes > start_words.word1 - pool_used) return 0;
    Vaddr va = start_words.word0 + pool_used;
    pool_used += bytes;
    return va;
}

} // namespace roottask
