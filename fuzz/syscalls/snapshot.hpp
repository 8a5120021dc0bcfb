// Snapshots of the sandbox's booted kernel, restored in place between inputs instead of destroy_all and a new
// boot (as Nyx restores a VM by its dirty pages, but inside the process). A kernel's state is:
//   * its pages: everything Kmem took from the sandbox's PagePool (objects, slabs, capability spaces, page
//     tables, UTCBs), with AddressSanitizer's shadow of them (free slab chunks are poisoned) and the pool's
//     own bookkeeping (which pages are out, the order of the free stack). The pool journals every page it
//     hands out or takes back, so a restore visits those pages and the pages the snapshot holds, nothing else
//     (PoolSnapshot, PagePool::restore);
//   * the Kernel object itself (kernel/kernel.hpp): 137 KiB, nearly all of it the scheduler's run queues
//     of the 64 CPUs the kernel could have. A restore copies the parts before and after the per-CPU array and
//     the entries of the CPUs that booted (KernelImage); a CPU the kernel does not know is never written;
//   * host-side state outside both: hostsim's machine, the host thread's I/O-port set and device-line mask,
//     the TLB request log (the sandbox resets those; fuzzsys::Sandbox::reset).
// The user frames of the root's boot memory are never written by the kernel (it only reads them,
// debug_write): the pool maps them read-only, so a kernel write there is a crash rather than state that
// outlives a run.
//
// Whether a restore is exact is checked by comparing everything (StateImage): every pool page the kernel
// holds, byte for byte with its shadow, the frames, the free stack and the Kernel object, against the image
// a fresh boot leaves (snapshot_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kernel {
class Kernel;
}

namespace fuzzsys {

/// Uninstrumented, unintercepted memory access (a free slab chunk is poisoned: ASan's memcpy and memcmp would
/// report reading it).
namespace raw {
void copy(void* to, const void* from, std::size_t bytes);
bool equal(const void* a, const void* b, std::size_t bytes);
/// AddressSanitizer's shadow bytes of [p, p + bytes) (bytes / 8 of them; bytes a multiple of 8), and back.
/// No-ops without ASan (shadow_bytes() is then 0).
std::size_t shadow_bytes(std::size_t bytes);
void read_shadow(const void* p, std::size_t bytes, std::uint8_t* out);
void write_shadow(const void* p, std::size_t bytes, const std::uint8_t* in);
bool shadow_equal(const void* p, std::size_t bytes, const std::uint8_t* want);
/// The shadow byte of memory poisoned with ASAN_POISON_MEMORY_REGION (kAsanUserPoisonedMemoryMagic).
inline constexpr std::uint8_t user_poisoned = 0xf7;
} // namespace raw

/// The pool's state at a snapshot: which pages were out (with their contents and shadow) and the free stack.
struct PoolSnapshot {
    std::vector<std::uint32_t> pages;  ///< indices of the pages out, ascending
    std::vector<std::int32_t> slot_of; ///< per pool page: its index in `pages`, or -1
    std::vector<std::byte> contents;   ///< pages.size() pages
    std::vector<std::uint8_t> shadow;  ///< pages.size() * shadow_bytes(page) bytes
    std::vector<std::size_t> free;     ///< the free stack (top last)
    std::size_t outstanding = 0;
    std::size_t bad_gives = 0;
    bool free_poisoned = true; ///< every free page poisoned all over (always true without ASan)
};

/// "" if two pool states are the same (pages out, their contents and shadow, free pages poisoned, the free
/// stack, the counters); otherwise what differs first.
std::string difference(const PoolSnapshot& a, const PoolSnapshot& b);

/// The Kernel object's bytes at a snapshot, and where its per-CPU scheduler entries lie.
class KernelImage {
public:
    /// Copies `k`, which runs `cpus` CPUs (the kernel writes no other CPU's entries).
    void take(const kernel::Kernel& k, unsigned cpus);
    /// Copies the image back over `k`: everything but the per-CPU entries, and the entries of the first
    /// `cpus` CPUs (the CPUs the kernel that ran on `k` since had, or more).
    void restore(kernel::Kernel& k, unsigned cpus) const;
    /// Bytes restore(k, cpus) copies.
    std::size_t restored_bytes(unsigned cpus) const;
    /// "" if every byte of `k` equals the image; otherwise the offset of the first difference and its part.
    std::string difference(const kernel::Kernel& k) const;
    /// The same between two images.
    std::string difference(const KernelImage& other) const;
    bool taken() const { return !bytes_.empty(); }
    unsigned cpus() const { return cpus_; }

private:
    std::string difference(const std::byte* other) const;

    std::vector<std::byte> bytes_;
    unsigned cpus_ = 0;
    std::size_t per_cpu_ = 0;  ///< offset of CPU 0's entry (its run queue) in the Kernel object
    std::size_t stride_ = 0;   ///< bytes per CPU
    std::size_t last_cpu_ = 0; ///< offset of the last possible CPU's run queue: from here on it is copied
};

/// Everything a run can change, to compare a restored kernel's run with a freshly booted one's: the Kernel
/// object, the pool (pages out, their contents and shadow, the free stack), the user frames, and the host
/// thread's device-line mask and I/O-port state.
struct StateImage {
    KernelImage kernel;
    PoolSnapshot pool;
    std::vector<std::byte> frames;
    std::uint32_t irq_lines_unmasked = 0;
    std::uint64_t io_loaded = 0;
    bool io_active = false;
    std::size_t io_ports = 0; ///< ports the host thread's CPU permits
};
/// "" if equal; otherwise what differs first.
std::string difference(const StateImage& a, const StateImage& b);

} // namespace fuzzsys
