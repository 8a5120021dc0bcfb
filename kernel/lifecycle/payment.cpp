#include "kernel/lifecycle/payment.hpp"

#include "kernel/kernel.hpp"
#include "kernel/obj/pd.hpp"

namespace kernel {

namespace {

Object*& list_head(Kernel& kernel, Pd* payer) {
    return payer ? payer->paid : kernel.boot_objects;
}

} // namespace

void pay(Kernel& kernel, Object& object, Pd* payer, std::uint64_t charge) {
    object.payer = payer;
    object.charge = payer ? charge : 0;
    Object*& head = list_head(kernel, payer);
    object.paid_prev = nullptr;
    object.paid_next = head;
    if (head) head->paid_prev = &object;
    head = &object;
    if (payer) payer->quota.used += object.charge;
}

void refund(Kernel& kernel, Object& object) {
    Pd* payer = object.payer;
    if (object.paid_prev)
        object.paid_prev->paid_next = object.paid_next;
    else
        list_head(kernel, payer) = object.paid_next;
    if (object.paid_next) object.paid_next->paid_prev = object.paid_prev;
    object.paid_prev = object.paid_next = nullptr;

    if (payer && !payer->doomed) payer->quota.used -= object.charge;
    if (object.type != ObjectType::pd) return;

    std::uint64_t limit = as<Pd>(object).quota.limit;
    Pd* heir = payer;
    while (heir && heir->doomed) heir = heir->payer;
    if (heir)
        heir->quota.limit += limit;
    else
        kernel.boot_quota -= limit;
}

} // namespace kernel
