// The kernel's IPC against models/ipc: random sequences of calls, sends, receives, replies, signals, waits,
// time passing, deletions and restarts, run on the real dispatcher (threads as logical actors, one domain)
// and on the model; after every step each thread's wait state, every outcome that became final (status and
// result registers), the endpoint queues and the notification bits must agree. The TestKernel observer runs
// the invariant checker after every syscall. A failure prints RapidCheck's reproduce string.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "kernel/ipc/testing/ipc_world.hpp"
#include "kernel/obj/endpoint.hpp"
#include "models/ipc/model.hpp"
#include "proptest/replay_on_crash.hpp"

namespace {

using kernel::Thread;
using kernel::Wait;
using kernel::testing::IpcWorld;
using models::ipc::Model;
using models::ipc::Outcome;
using models::ipc::Word;
namespace spec = janus::abi;
namespace msg = janus::abi::msg;
using S = spec::Syscall;
using E = spec::Error;

constexpr int thread_count = 4;
constexpr std::uint64_t first_thread = 20, first_reply = 50, ntf = 13, badge = 0xb0b;

/// Endpoint selectors the threads use: (selector, endpoint index, badge of that capability).
struct EpCap {
    std::uint64_t sel;
    int ep;
    Word badge;
};
constexpr EpCap ep_caps[] = {{10, 0, 0}, {11, 1, 0}, {12, 0, badge}};

enum Kind : std::uint8_t {
    call,
    send,
    recv,
    reply_recv,
    reply,
    signal,
    wait,
    advance,
    delete_ep,
    delete_reply,
    restart,
    kinds
};

/// One command, decoded from six random bytes (so RapidCheck shrinks plain byte vectors).
struct Command {
    Kind kind;
    int thread;
    EpCap cap;
    Word timeout;
    models::ipc::Message message;
    Word value;

    explicit Command(const std::array<std::uint8_t, 6>& b) {
        kind = static_cast<Kind>(b[0] % kinds);
        thread = b[1] % thread_count;
        cap = ep_caps[b[2] % 3];
        const Word timeouts[] = {models::ipc::poll, models::ipc::forever, 1000, 2500};
        timeout = timeouts[b[3] % 4];
        message.label = b[4];
        message.count = b[5] % 4;
        for (unsigned i = 0; i < 3; ++i) message.words[i] = 0x1000'0000u * (i + 1) + b[4] * 7u + b[5];
        value = (Word{1} << (b[4] % 64)) | (b[5] % 3 == 0 ? Word{1} << (b[5] % 64) : 0);
    }
    std::string describe() const {
        std::ostringstream o;
        o << "kind " << int(kind) << " thread " << thread << " sel " << cap.sel << " timeout " << timeout
          << " label " << message.label << " words " << message.count << " value " << value;
        return o.str();
    }
};

class Harness {
public:
    Harness() : model_(thread_count, 2, 1) {
        w_.endpoint(10);
        w_.endpoint(11);
        w_.copy(10, 12, spec::rights::read | spec::rights::write, badge);
        w_.notification(ntf);
        for (int i = 0; i < thread_count; ++i) {
            threads_[i] = &w_.thread(first_thread + i, 0x30000 + 0x1000 * i);
            IpcWorld::utcb(*threads_[i]).reply_sel = first_reply + i;
        }
    }

    void step(const Command& c) {
        RC_LOG() << c.describe() << "\n";
        Thread& t = *threads_[c.thread];
        const std::uint64_t info = msg::info(c.message.label, c.message.count);
        const auto& wds = c.message.words;
        std::optional<Outcome> expect;
        bool acts = c.kind <= wait && c.kind != signal;
        if (acts && model_.wait_of(c.thread) != models::ipc::Wait::none)
            return; // a waiting thread cannot act
        switch (c.kind) {
        case call:
            expect = model_.call(c.thread, c.cap.ep, c.cap.badge, c.message, c.timeout);
            w_.call(t, S::ipc_call, {c.cap.sel, info, c.timeout, wds[0], wds[1], wds[2]});
            break;
        case send:
            expect = model_.send(c.thread, c.cap.ep, c.cap.badge, c.message, c.timeout);
            w_.call(t, S::ipc_send, {c.cap.sel, info, c.timeout, wds[0], wds[1], wds[2]});
            break;
        case recv:
            expect = model_.recv(c.thread, c.cap.ep, c.timeout);
            w_.call(t, S::ipc_recv, {c.cap.sel, c.timeout});
            break;
        case reply_recv:
            expect = model_.reply_recv(c.thread, c.cap.ep, c.message, c.timeout);
            w_.call(t, S::ipc_reply_recv, {c.cap.sel, info, c.timeout, wds[0], wds[1], wds[2]});
            break;
        case reply:
            expect = model_.reply(c.thread, c.message);
            w_.call(t, S::ipc_reply, {first_reply + c.thread, info, wds[0], wds[1], wds[2]});
            break;
        case wait:
            expect = model_.wait(c.thread, 0, c.timeout);
            w_.call(t, S::notify_wait, {ntf, c.timeout});
            break;
        case signal:
            model_.signal(0, c.value);
            w_.ok(S::notify_signal, {ntf, c.value});
            break;
        case advance:
            model_.advance(c.value % 3000);
            w_.advance(c.value % 3000);
            break;
        case delete_ep:
            model_.delete_endpoint(c.cap.ep);
            w_.ok(S::cap_delete, {c.cap.ep == 0 ? std::uint64_t{10} : std::uint64_t{11}});
            w_.endpoint(c.cap.ep == 0 ? 10 : 11);
            if (c.cap.ep == 0) w_.copy(10, 12, spec::rights::read | spec::rights::write, badge);
            break;
        case delete_reply: {
            bool held = model_.delete_reply(c.thread);
            E got = w_.call(S::cap_delete, {first_reply + c.thread}).status;
            RC_ASSERT(got == (held ? E::ok : E::bad_selector));
            break;
        }
        case restart:
            model_.restart(c.thread);
            w_.ok(S::thread_stop, {first_thread + c.thread});
            w_.ok(S::thread_start, {first_thread + c.thread, 0x400000, 0x7ff000});
            break;
        default:
            break;
        }
        if (acts) {
            if (expect) {
                RC_ASSERT(!IpcWorld::waiting(t));
                same(t, *expect);
            } else {
                RC_ASSERT(IpcWorld::waiting(t));
            }
        }
        for (const auto& [who, outcome] : model_.take_ended()) {
            if (c.kind == restart && who == c.thread) continue; // its frame starts afresh
            RC_ASSERT(!IpcWorld::waiting(*threads_[who]));
            same(*threads_[who], outcome);
        }
        agree();
    }

private:
    /// The frame holds what the ABI says for this outcome.
    static void same(const Thread& t, const Outcome& o) {
        const arch::UserFrame& f = t.frame;
        RC_ASSERT(f.rax == static_cast<std::uint64_t>(o.status));
        if (o.message) {
            RC_ASSERT(f.rdi == o.info);
            RC_ASSERT(f.rsi == o.badge);
            RC_ASSERT(f.rdx == o.words[0]);
            RC_ASSERT(f.r10 == o.words[1]);
            RC_ASSERT(f.r8 == o.words[2]);
        }
        if (o.signalled) RC_ASSERT(f.rdi == o.bits);
    }

    int index_of(const Thread* t) const {
        for (int i = 0; i < thread_count; ++i)
            if (threads_[i] == t) return i;
        return -1;
    }

    std::deque<int> queue(const kernel::IpcQueue& q) const {
        std::deque<int> out;
        for (const Thread* t = q.first(); t; t = kernel::IpcQueue::next(*t)) out.push_back(index_of(t));
        return out;
    }

    void agree() {
        for (int i = 0; i < thread_count; ++i) {
            Wait k = threads_[i]->ipc.wait;
            models::ipc::Wait m = model_.wait_of(i);
            RC_ASSERT(static_cast<int>(k) == static_cast<int>(m));
        }
        for (int ep = 0; ep < 2; ++ep) {
            auto& e = w_.at<kernel::Endpoint>(w_.root(), ep == 0 ? 10 : 11);
            RC_ASSERT(queue(e.senders) == model_.senders(ep));
            RC_ASSERT(queue(e.receivers) == model_.receivers(ep));
        }
        RC_ASSERT(w_.at<kernel::Notification>(w_.root(), ntf).bits == model_.bits(0));
        RC_ASSERT(w_.clean());
    }

    IpcWorld w_;
    Model model_;
    Thread* threads_[thread_count] = {};
};

static_assert(static_cast<int>(Wait::none) == static_cast<int>(models::ipc::Wait::none) &&
                  static_cast<int>(Wait::send) == static_cast<int>(models::ipc::Wait::send) &&
                  static_cast<int>(Wait::recv) == static_cast<int>(models::ipc::Wait::recv) &&
                  static_cast<int>(Wait::reply) == static_cast<int>(models::ipc::Wait::reply) &&
                  static_cast<int>(Wait::notify) == static_cast<int>(models::ipc::Wait::notify),
              "the comparison maps wait states by value");

RC_GTEST_PROP(IpcModel, TheKernelAgreesWithTheModelOnRandomSequences,
              (const std::vector<std::array<std::uint8_t, 6>>& commands)) {
    Harness h;
    for (const auto& raw : commands) h.step(Command(raw));
}

} // namespace
