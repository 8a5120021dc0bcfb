#include "models/ipc/model.hpp"

#include <algorithm>

namespace models::ipc {

namespace msg = janus::abi::msg;

Model::Model(unsigned threads, unsigned endpoints, unsigned notifications)
    : threads_(threads), senders_(endpoints), receivers_(endpoints), waiters_(notifications),
      bits_(notifications, 0) {}

Outcome Model::status(Error e) {
    Outcome o;
    o.status = e;
    return o;
}

Outcome Model::message(const Message& m, Word badge, bool call_flag) {
    Outcome o;
    o.message = true;
    o.info = msg::info(m.label, m.count) | (call_flag ? msg::call_flag : 0);
    o.badge = badge;
    for (unsigned i = 0; i < 3; ++i) o.words[i] = i < m.count ? m.words[i] : 0;
    return o;
}

void Model::end(int t, const Outcome& o) {
    leave_queue(t);
    threads_[t] = Thread{};
    ended_.emplace_back(t, o);
}

void Model::leave_queue(int t) {
    Thread& th = threads_[t];
    auto drop = [t](std::deque<int>& q) { q.erase(std::remove(q.begin(), q.end(), t), q.end()); };
    if (th.wait == Wait::send) drop(senders_[th.object]);
    if (th.wait == Wait::recv) drop(receivers_[th.object]);
    if (th.wait == Wait::notify) drop(waiters_[th.object]);
}

void Model::wait_on(int t, Wait w, int object, Word timeout) {
    Thread& th = threads_[t];
    th.wait = w;
    th.object = object;
    th.deadline = timeout == forever ? 0 : now_ + timeout;
    if (w == Wait::send) senders_[object].push_back(t);
    if (w == Wait::recv) receivers_[object].push_back(t);
    if (w == Wait::notify) waiters_[object].push_back(t);
}

Outcome Model::deliver(int t, int r) {
    Thread& s = threads_[t];
    // The receiver's reply slot is free (checked when it began to receive), so a call always leaves a reply
    // capability there.
    bool gives_reply = s.call && !held_.count(r);
    Outcome got = message(s.msg, s.badge, gives_reply);
    if (s.call && gives_reply) {
        held_[r] = t;
        leave_queue(t);
        s.wait = Wait::reply;
        s.deadline = 0; // the timeout bounded the wait for a receiver only
    } else if (s.call) {
        if (s.wait != Wait::none) end(t, status(Error::cancelled));
    } else if (s.wait != Wait::none) {
        end(t, status(Error::ok));
    }
    return got;
}

std::optional<Outcome> Model::sending(int t, int ep, Word badge, const Message& m, Word timeout, bool call) {
    Thread& s = threads_[t];
    s.msg = m;
    s.badge = badge;
    s.call = call;
    if (!receivers_[ep].empty()) {
        int r = receivers_[ep].front();
        Outcome got = deliver(t, r);
        end(r, got);
        if (!call) {
            threads_[t] = Thread{};
            return status(Error::ok);
        }
        if (threads_[t].wait == Wait::reply) return std::nullopt;
        threads_[t] = Thread{};
        return status(Error::cancelled);
    }
    if (timeout == poll) {
        threads_[t] = Thread{};
        return status(Error::would_block);
    }
    wait_on(t, Wait::send, ep, timeout);
    return std::nullopt;
}

std::optional<Outcome> Model::call(int t, int ep, Word badge, const Message& m, Word timeout) {
    return sending(t, ep, badge, m, timeout, true);
}

std::optional<Outcome> Model::send(int t, int ep, Word badge, const Message& m, Word timeout) {
    return sending(t, ep, badge, m, timeout, false);
}

std::optional<Outcome> Model::receiving(int t, int ep, Word timeout) {
    if (held_.count(t)) return status(Error::slot_occupied);
    if (!senders_[ep].empty()) {
        int s = senders_[ep].front();
        Outcome got = deliver(s, t);
        return got;
    }
    if (timeout == poll) return status(Error::would_block);
    wait_on(t, Wait::recv, ep, timeout);
    return std::nullopt;
}

std::optional<Outcome> Model::recv(int t, int ep, Word timeout) {
    return receiving(t, ep, timeout);
}

Outcome Model::reply(int t, const Message& m) {
    auto it = held_.find(t);
    if (it == held_.end()) return status(Error::bad_selector);
    int caller = it->second;
    held_.erase(it);
    end(caller, message(m, 0, false));
    return status(Error::ok);
}

std::optional<Outcome> Model::reply_recv(int t, int ep, const Message& m, Word timeout) {
    if (held_.count(t)) reply(t, m);
    return receiving(t, ep, timeout);
}

Outcome Model::signal(int n, Word bits) {
    bits_[n] |= bits;
    if (bits_[n] && !waiters_[n].empty()) {
        Outcome o;
        o.signalled = true;
        o.bits = bits_[n];
        bits_[n] = 0;
        end(waiters_[n].front(), o);
    }
    return status(Error::ok);
}

std::optional<Outcome> Model::wait(int t, int n, Word timeout) {
    if (bits_[n]) {
        Outcome o;
        o.signalled = true;
        o.bits = bits_[n];
        bits_[n] = 0;
        return o;
    }
    if (timeout == poll) return status(Error::would_block);
    wait_on(t, Wait::notify, n, timeout);
    return std::nullopt;
}

void Model::advance(Word ns) {
    now_ += ns;
    for (int t = 0; t < static_cast<int>(threads_.size()); ++t) {
        const Thread& th = threads_[t];
        bool timed = th.wait == Wait::send || th.wait == Wait::recv || th.wait == Wait::notify;
        if (timed && th.deadline != 0 && th.deadline <= now_) end(t, status(Error::timeout));
    }
}

void Model::delete_endpoint(int ep) {
    while (!senders_[ep].empty()) end(senders_[ep].front(), status(Error::cancelled));
    while (!receivers_[ep].empty()) end(receivers_[ep].front(), status(Error::cancelled));
}

bool Model::delete_reply(int t) {
    auto it = held_.find(t);
    if (it == held_.end()) return false;
    int caller = it->second;
    held_.erase(it);
    end(caller, status(Error::cancelled));
    return true;
}

void Model::restart(int t) {
    if (threads_[t].wait == Wait::reply)
        for (auto it = held_.begin(); it != held_.end(); ++it)
            if (it->second == t) {
                held_.erase(it);
                break;
            }
    leave_queue(t);
    threads_[t] = Thread{};
}

std::vector<std::pair<int, Outcome>> Model::take_ended() {
    std::vector<std::pair<int, Outcome>> out;
    out.swap(ended_);
    return out;
}

} // namespace models::ipc
