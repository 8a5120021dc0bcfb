// Linking an object to the quota that pays for it, and undoing that when it dies.
#pragma once

#include <cstdint>

namespace kernel {

class Kernel;
class Object;
class Pd;

/// `object` is now paid by `payer` (nullptr: a boot object, on the kernel's boot list, charge 0): it joins
/// the payer's list and `charge` bytes move into the payer's used quota. The caller checked that they fit.
void pay(Kernel& kernel, Object& object, Pd* payer, std::uint64_t charge);

/// `object` dies: it leaves its payer's list and its charge goes back to the payer; a dying protection
/// domain's limit goes back to the limit of the nearest domain up its chain of payers that survives (the
/// boot quota shrinks if none does). Dying objects are refunded while all of them are still in memory and in
/// any order: payers that die too are skipped, never written to.
void refund(Kernel& kernel, Object& object);

} // namespace kernel
