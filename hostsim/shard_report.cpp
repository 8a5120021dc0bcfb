#include "hostsim/shard_report.hpp"

#include <cstdlib>
#include <map>
#include <sstream>

namespace hostsim {

std::string ShardReport::format() const {
    std::ostringstream o;
    o << "scenario=" << scenario << "\nstrategy=" << strategy << "\nseed=" << seed << "\ntotal=" << total
      << "\nshard=" << shard << "\nshards=" << shards << "\nruns=" << runs << "\nsteps=" << steps
      << "\nseconds=" << seconds << "\nfailure=" << failure << "\nfailure_text=" << failure_text << "\n";
    return o.str();
}

std::optional<ShardReport> ShardReport::parse(const std::string& text, std::string& error) {
    std::map<std::string, std::string> fields;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        fields[line.substr(0, eq)] = line.substr(eq + 1);
    }
    ShardReport r;
    auto need = [&](const char* key) -> const std::string* {
        auto it = fields.find(key);
        if (it == fields.end()) {
            error = std::string("no ") + key + "=";
            return nullptr;
        }
        return &it->second;
    };
    auto count = [&](const char* key, std::uint64_t& out) {
        const std::string* v = need(key);
        if (!v) return false;
        char* end = nullptr;
        out = std::strtoull(v->c_str(), &end, 10);
        if (v->empty() || *end != '\0') {
            error = std::string(key) + "= is not a number";
            return false;
        }
        return true;
    };
    const std::string *scenario = need("scenario"), *strategy = scenario ? need("strategy") : nullptr;
    if (!scenario || !strategy) return std::nullopt;
    r.scenario = *scenario;
    r.strategy = *strategy;
    if (!count("seed", r.seed) || !count("total", r.total) || !count("shard", r.shard) ||
        !count("shards", r.shards) || !count("runs", r.runs) || !count("steps", r.steps))
        return std::nullopt;
    if (r.shards == 0 || r.shard >= r.shards) {
        error = "shard is not below shards";
        return std::nullopt;
    }
    if (const std::string* s = need("seconds")) r.seconds = std::strtod(s->c_str(), nullptr);
    if (fields.count("failure")) r.failure = fields["failure"];
    if (fields.count("failure_text")) r.failure_text = fields["failure_text"];
    error.clear();
    return r;
}

MergedReport merge_reports(const std::vector<ShardReport>& reports) {
    MergedReport m;
    if (reports.empty()) {
        m.problem = "no reports";
        return m;
    }
    const ShardReport& first = reports.front();
    std::vector<bool> seen(first.shards, false);
    for (const ShardReport& r : reports) {
        if (r.scenario != first.scenario || r.strategy != first.strategy || r.seed != first.seed ||
            r.total != first.total || r.shards != first.shards) {
            m.problem = "shard " + std::to_string(r.shard) + " explored another exploration (" + r.scenario +
                        ", " + r.strategy + ", seed " + std::to_string(r.seed) + ", " +
                        std::to_string(r.total) + " runs in " + std::to_string(r.shards) + " shards)";
            return m;
        }
        if (seen[r.shard]) {
            m.problem = "shard " + std::to_string(r.shard) + " is there twice";
            return m;
        }
        seen[r.shard] = true;
        // A shard that did not fail made exactly its share: the runs i < total with i % shards == shard.
        const std::uint64_t share = r.total / r.shards + (r.shard < r.total % r.shards ? 1 : 0);
        if (r.failure.empty() && r.runs != share) {
            m.problem = "shard " + std::to_string(r.shard) + " made " + std::to_string(r.runs) +
                        " runs, its share is " + std::to_string(share);
            return m;
        }
        m.runs += r.runs;
        m.steps += r.steps;
        m.seconds += r.seconds;
        if (!r.failure.empty()) m.failed.push_back(&r);
    }
    for (std::uint64_t s = 0; s < first.shards; ++s) {
        if (!seen[s]) {
            m.problem = "shard " + std::to_string(s) + " of " + std::to_string(first.shards) + " is missing";
            return m;
        }
    }
    return m;
}

} // namespace hostsim
