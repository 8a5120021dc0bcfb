#!/usr/bin/python3
"""./janus mutate [PATHS...] [--n N] [--seed S]: mutation testing of the kernel's own sources.

Samples N mutants (reproducibly from seed S) of the files under PATHS (default kernel/) that are compiled into
the kernel, builds each in a private copy of the tree (build/mutate/src, never the working tree), drops the
ones whose object code is unchanged (equivalent) and runs the tiers that can see the change, cheapest first,
stopping at the first failing test. See cmake/mutate/README.md.
"""

import argparse
import fcntl
import hashlib
import json
import os
import random
import re
import shutil
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import deps  # noqa: E402
import tree  # noqa: E402

TOOL_VERSION = "1"  # part of every cache key: bump when operators or classification change
TIERS = ("unit", "sim", "prop")  # host tiers, in the order they run (cost: unit is cheapest; prop the longest)
HOST_TEST_TIMEOUT = 60           # seconds, per test without its own TIMEOUT (a hanging mutant is a timeout)
TIER_WALL = 1200                 # seconds: the bound of one ctest run, whatever its tests' timeouts
BUILD_WALL = 900


def say(msg):
    print("mutate: " + msg, file=sys.stderr, flush=True)


def sha(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
        h.update(b"\0")
    return h.hexdigest()


def excluded(rel):
    base = os.path.basename(rel)
    return ("/testing/" in "/" + rel or base.endswith(("_test.cpp", "_tests.cpp", "_scenarios.cpp", "_bench.cpp"))
            or base.endswith("_main.cpp"))


def ctest_listing(bdir):
    rc, out = tree.run(["ctest", "--test-dir", bdir, "--show-only=json-v1"])
    if rc != 0:
        raise SystemExit("mutate: ctest cannot list the tests of " + bdir)
    tests = []
    for t in json.loads(out)["tests"]:
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        tests.append({"name": t["name"], "labels": props.get("LABELS", []), "program": deps.test_program(t, bdir)})
    return tests


# "  616 - name (Failed)"; a parameterised test's name has spaces and parentheses of its own
# ("... /at_user_end  # GetParam() = 35 (Failed)"), so the reason is the last parenthesised group of the line.
FAIL_LINE = re.compile(r"^\s*\d+\s*-\s*(.+?)\s+\(([^()]*)\)\s*$", re.M)


def run_ctest(bdir, names, label, exclude_names, exclude_label=None, jobs=2, log=None, all_names=None):
    """Run the named tests (None: every test with the label); returns ("pass"|"fail"|"timeout"|"error", the
    failing test). ctest's -R is a regular expression of bounded size, so a long list is run in chunks, and a
    list that is every test of the label is no list at all."""
    if names is not None and all_names is not None and set(names) >= set(all_names) - set(exclude_names):
        names = None
    if names is None:
        return ctest_once(bdir, None, label, exclude_names, exclude_label, jobs, log)
    chunks, chunk, size = [], [], 0
    for n in sorted(names):
        e = re.escape(n)
        if chunk and size + len(e) + 1 > 5000:
            chunks.append(chunk)
            chunk, size = [], 0
        chunk.append(n)
        size += len(e) + 1
    chunks.append(chunk)
    for chunk in chunks:
        verdict, test = ctest_once(bdir, chunk, label, exclude_names, exclude_label, jobs, log)
        if verdict != "pass":
            return verdict, test
    return "pass", None


def ctest_once(bdir, names, label, exclude_names, exclude_label, jobs, log):
    args = ["ctest", "--test-dir", bdir, "-L", "^%s$" % label, "--stop-on-failure", "-j%d" % jobs,
            "--timeout", str(HOST_TEST_TIMEOUT), "--no-tests=ignore", "--output-on-failure"]
    if names is not None:
        if not names:
            return "pass", None
        args += ["-R", "^(%s)$" % "|".join(re.escape(n) for n in sorted(names))]
    if exclude_names:
        args += ["-E", "^(%s)$" % "|".join(re.escape(n) for n in sorted(exclude_names))]
    if exclude_label:
        args += ["-LE", exclude_label]
    rc, out = tree.run(args, log=log, timeout=TIER_WALL)
    if rc is None:
        return "timeout", "(the %s tier ran longer than %d s)" % (label, TIER_WALL)
    if rc == 0:
        return "pass", None
    fails = FAIL_LINE.findall(out.split("The following tests FAILED:")[-1]) if "FAILED:" in out else []
    if fails and all("Timeout" in why for _, why in fails):
        return "timeout", fails[0][0]
    if fails:
        return "fail", fails[0][0]
    m = re.search(r"Error running test executable\.\s+Path: '([^']*)'\s+Result: ([^\n]*)", out)
    if m:
        # gtest_discover_tests could not list a program's tests: the program itself fails (./janus test too)
        return "fail", "(%s: listing its tests: %s)" % (os.path.basename(m.group(1)), m.group(2).strip())
    return "error", "(ctest status %d without a failed test: %s)" % (rc, out.strip().splitlines()[-1][:200]
                                                                      if out.strip() else "no output")


# A tier's verdict -> the mutant's class. "error": ctest itself failed (not a test); not counted, reported.
CLASS = {"fail": "killed", "timeout": "timeout", "error": "error"}


# ------------------------------------------------------------------------------------------------- baseline
class Baseline:
    """Everything about the unmutated tree one run needs, cached in build/mutate/baseline.json by tree id."""

    def __init__(self, trees, tree_id, fresh):
        self.t = trees
        path = os.path.join(trees.work, "baseline.json")
        data = tree.load_json(path, {})
        self.host_tests = ctest_listing(trees.host)
        self.hw_tests = [t for t in ctest_listing(trees.metal) if "hw" in t["labels"] and "kvm" not in t["labels"]]
        progs = sorted({t["program"] for t in self.host_tests if t["program"]})
        self.programs = deps.Programs(trees.host, progs)
        self.host_users = deps.header_users(trees.host)
        self.outputs = deps.outputs(trees.host)
        self.metal_outputs = deps.outputs(trees.metal)
        self.libs = {o for o in self.outputs if o.endswith(".a")}
        self.generated = {o for o in self.outputs if "build_id" in os.path.basename(o)}
        self.metal_users = deps.header_users(trees.metal)
        # What the tests run against: the programs, the bare-metal images and the harness scripts.
        parts = [TOOL_VERSION]
        for p in progs + [os.path.join(trees.metal_ref, "janus.elf"), os.path.join(trees.metal_ref, "user/roottask.elf"),
                          os.path.join(trees.metal, "janus.elf"), os.path.join(trees.metal, "user/roottask.elf")]:
            parts.append(os.path.relpath(p, trees.work) + ":" + tree.file_hash(p))
        rc, out = tree.run(["git", "rev-parse", trees.rev + ":hwtest", trees.rev + ":cmake"], cwd=trees.repo)
        parts.append(out)
        self.fingerprint = sha(*parts)
        if not fresh and data.get("fingerprint") == self.fingerprint:
            self.failing = set(data["failing"])
            self.obj_hash = data["obj_hash"]
            self.seconds = data.get("seconds", {})
            return
        # Tests that fail unmutated cannot kill anything: found once and left out of every mutant's runs.
        self.failing = set()
        self.seconds = {}
        for label in TIERS:
            start = time.time()
            self.failing |= self.failures(trees.host, label)
            self.seconds[label] = time.time() - start
        start = time.time()
        self.failing |= self.failures(trees.metal, "hw", "kvm")
        self.seconds["hw"] = time.time() - start
        if self.failing:
            say("failing unmutated, left out: " + ", ".join(sorted(self.failing)))
        self.obj_hash = {}
        for objs in self.host_users.values():
            for o in objs:
                if o not in self.obj_hash:
                    self.obj_hash[o] = tree.code_hash(os.path.join(trees.host, o))
        tree.save_json(path, {"fingerprint": self.fingerprint, "failing": sorted(self.failing),
                              "obj_hash": self.obj_hash, "seconds": self.seconds})

    def failures(self, bdir, label, exclude_label=None):
        say("baseline: %s tier in %s" % (label, os.path.relpath(bdir, self.t.work)))
        args = ["ctest", "--test-dir", bdir, "-L", "^%s$" % label, "-j2", "--timeout", str(HOST_TEST_TIMEOUT),
                "--no-tests=ignore"]
        if exclude_label:
            args += ["-LE", exclude_label]
        rc, out = tree.run(args, log=self.t.log, timeout=3 * TIER_WALL)
        if rc == 0:
            return set()
        return {n for n, _ in FAIL_LINE.findall(out.split("The following tests FAILED:")[-1])}


def kept_result(cache, mkey, base, use_hw):
    """An earlier result for the same mutant (same file, same mutated text) that tests added since cannot change:
    a kill whose killing test still exists (by a host tier, or by the hw tier if this run has it too), or a
    stillborn or equivalent mutant (decided by the compiler alone, before any test runs). New tests cannot
    revive a mutant an existing test killed unless a test was weakened, which the project's commits must name.
    This is the incremental analysis mutation tools such as PIT offer; without --keep-kills every baseline change
    reruns every mutant."""
    names = {t["name"] for t in base.host_tests} | {t["name"] for t in base.hw_tests}
    for r in cache.values():
        if r.get("mutant") != mkey:
            continue
        if r["status"] in ("stillborn", "equivalent"):
            return r
        if r["status"] == "killed" and r.get("test") in names and (r.get("tier") != "hw" or use_hw):
            return r
    return None


# -------------------------------------------------------------------------------------------------- sampling
def sample(sites, n, seed):
    """n sites, without replacement: a file drawn with weight sqrt(its sites) (so small files are reached and
    large ones still weigh more), then an operator class uniformly among that file's, then a site."""
    rng = random.Random(seed)
    pool = {}
    for s in sites:
        pool.setdefault(s["file"], {}).setdefault(s["op"], []).append(s)
    chosen = []
    while len(chosen) < n and pool:
        files = sorted(pool)
        weights = [sum(len(v) for v in pool[f].values()) ** 0.5 for f in files]
        f = rng.choices(files, weights)[0]
        op = rng.choice(sorted(pool[f]))
        lst = pool[f][op]
        chosen.append(lst.pop(rng.randrange(len(lst))))
        if not lst:
            del pool[f][op]
        if not pool[f]:
            del pool[f]
    return chosen


def load_sites(trees, tree_id, paths):
    cache = os.path.join(trees.work, "sites.json")
    data = tree.load_json(cache, {})
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "sites.py"), "rb") as f:
        key = sha(TOOL_VERSION, tree_id, f.read())
    if data.get("key") == key:
        sites = data["sites"]
    else:
        import sites as sites_mod
        with open(os.path.join(trees.host, "compile_commands.json")) as f:
            cc = json.load(f)
        kernel_tus = [e for e in cc if "/janus_kernel.dir/" in e.get("output", e.get("command", ""))]
        say("finding mutation sites with libclang in %d translation units" % len(kernel_tus))
        src = os.path.realpath(trees.src)
        sites = sites_mod.find_sites(
            src, kernel_tus, lambda rel: rel.startswith("kernel/") and not excluded(rel), lambda e: True)
        tree.save_json(cache, {"key": key, "sites": sites})
    norm = [p.rstrip("/") for p in paths]
    return [s for s in sites if any(s["file"] == p or s["file"].startswith(p + "/") for p in norm)]


# --------------------------------------------------------------------------------------------------- mutants
def mutant_id(s):
    return "%s:%d:%d:%s" % (s["file"], s["start"], s["end"], s["repl"])


def run_mutant(trees, base, s, original, use_hw, log):
    """Apply the mutant to build/mutate/src, classify it, restore the file. Returns the result dict."""
    path = os.path.join(trees.src, s["file"])
    mutated = original[:s["start"]] + s["repl"].encode() + original[s["end"]:]
    result = {"status": None, "tier": None, "test": None}
    stat = os.stat(path)
    objs = sorted(base.host_users.get(os.path.realpath(path), ()))
    progs = base.programs.affected(objs)
    stash = Stash(trees.host, os.path.join(trees.work, "stash"))
    stash.save(set(objs) | base.libs | base.generated | {os.path.relpath(p, trees.host) for p in progs})
    t0 = time.time_ns()
    metal_built = False
    with open(path, "wb") as f:
        f.write(mutated)
    try:
        if not objs:
            result.update(status="survived", tier="-", test="(no object of the host tree compiles this file)")
            return result
        rc, out = trees.build(trees.host, objs, timeout=BUILD_WALL)
        if rc != 0:
            result.update(status="stillborn", test=first_error(out))
            return result
        changed = [o for o in objs if tree.code_hash(os.path.join(trees.host, o)) != base.obj_hash.get(o)]
        if not changed:
            result.update(status="equivalent")
            return result
        progs = base.programs.affected(changed)
        targets = [os.path.relpath(p, trees.host) for p in sorted(progs)]
        if any(all(m is not None and o not in m for m in base.programs.members.values()) for o in changed):
            # A changed object no test program links (the ring-3 ELF that usermode.* load at run time, from a
            # kernel/abi header): no narrowing, everything is built and every test runs.
            progs, targets = set(base.programs.members), []
            stash.complete = False
        rc, out = trees.build(trees.host, targets, timeout=BUILD_WALL)
        if rc != 0:
            result.update(status="stillborn", test=first_error(out))
            return result
        for label in TIERS:
            every = {t["name"] for t in base.host_tests if label in t["labels"] and t["program"]}
            names = {t["name"] for t in base.host_tests if label in t["labels"] and t["program"] in progs}
            verdict, test = run_ctest(trees.host, names - base.failing, label, base.failing, log=log,
                                      all_names=every)
            if verdict != "pass":
                result.update(status=CLASS[verdict], tier=label, test=test)
                return result
        in_elf = bool(base.metal_users.get(os.path.realpath(path)))
        if use_hw and in_elf:
            metal_built = True
            rc, out = trees.build(trees.metal, timeout=BUILD_WALL)
            if rc != 0:
                result.update(status="stillborn", tier="hw", test=first_error(out))
                return result
            verdict, test = run_ctest(trees.metal, None, "hw", base.failing, exclude_label="kvm", log=log)
            if verdict == "fail":
                # QEMU boots under TCG depend on the machine's load (other builds share the 2 cores): a failing
                # boot counts only if it fails again alone.
                again, _ = run_ctest(trees.metal, {test}, "hw", set(), exclude_label="kvm", jobs=1, log=log)
                if again == "pass":
                    flaky = {test}
                    verdict, test = run_ctest(trees.metal, None, "hw", base.failing | flaky, exclude_label="kvm",
                                              log=log)
                    result["flaky"] = sorted(flaky)
            if verdict != "pass":
                result.update(status=CLASS[verdict], tier="hw", test=test)
                return result
        result.update(status="survived", tier="hw" if use_hw and in_elf else "prop",
                      test=None if progs else "(no test program links the changed objects)")
        return result
    finally:
        with open(path, "wb") as f:
            f.write(original)
        stash.restore(base.outputs, t0)
        if metal_built:
            # The source gets its old timestamp back, so ninja would not see it change again: every output of the
            # x86_64 tree this mutant rebuilt is deleted instead, and the next hw run rebuilds it unmutated.
            Stash(trees.metal, os.path.join(trees.work, "stash")).restore(base.metal_outputs, t0)
        if stash.complete:
            # The tree is the unmutated one again, outputs and timestamps: nothing is rebuilt for the next mutant.
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


class Stash:
    """The unmutated outputs a mutant's build may overwrite (its objects, every static library, the build id,
    the programs it relinks), saved with their timestamps and put back afterwards, so the next mutant does not
    recompile what this one touched (a header's ~100 objects). Any other output rebuilt meanwhile is deleted:
    ninja rebuilds it from the restored sources when it is next needed. With complete = False (a mutant that
    needed a full build) the source file keeps its new timestamp, so ninja rebuilds whatever depends on it."""

    def __init__(self, bdir, where):
        self.bdir, self.where, self.saved, self.complete = bdir, where, [], True
        shutil.rmtree(where, ignore_errors=True)

    def save(self, rels):
        for rel in sorted(rels):
            src = os.path.join(self.bdir, rel)
            if os.path.isfile(src):
                dst = os.path.join(self.where, rel)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(src, dst)
                self.saved.append(rel)

    def restore(self, outputs, t0):
        if self.complete:
            for rel in self.saved:
                os.replace(os.path.join(self.where, rel), os.path.join(self.bdir, rel))
        saved = set(self.saved) if self.complete else set()
        for rel in outputs:
            if rel in saved:
                continue
            p = os.path.join(self.bdir, rel)
            try:
                if os.stat(p).st_mtime_ns >= t0:
                    os.remove(p)
            except OSError:
                pass
        shutil.rmtree(self.where, ignore_errors=True)


def first_error(out):
    for line in out.splitlines():
        if "error:" in line:
            return line.strip()[:200]
    return out.strip().splitlines()[-1][:200] if out.strip() else "build failed"


# ---------------------------------------------------------------------------------------------------- report
def report(results, args, work, seconds, per_mutant):
    counts = {k: 0 for k in ("killed", "survived", "timeout", "stillborn", "equivalent", "error")}
    for r in results:
        counts[r["status"]] += 1
    judged = counts["killed"] + counts["survived"]
    score = 100.0 * counts["killed"] / judged if judged else 0.0
    lines = ["# Mutation report", "",
             "command: ./janus mutate %s--n %d --seed %d (%s, revision %s)" % (
                 "".join(p + " " for p in args.paths), args.n, args.seed, time.strftime("%Y-%m-%d %H:%M UTC",
                                                                                        time.gmtime()), args.rev),
             "", "| sampled | killed | survived | timeout | stillborn | equivalent | error | score |",
             "|---|---|---|---|---|---|---|---|",
             "| %d | %d | %d | %d | %d | %d | %d | %.1f%% |" % (len(results), counts["killed"], counts["survived"],
                                                             counts["timeout"], counts["stillborn"],
                                                             counts["equivalent"], counts["error"], score),
             "", "score = killed / (killed + survived); timeouts (a test hung and was stopped) are listed apart.",
             "%.0f s in all, %.1f s per mutant run now (cached results excluded)" % (seconds, per_mutant), ""]
    by_tier = {}
    for r in results:
        if r["status"] in ("killed", "timeout"):
            by_tier[r["tier"]] = by_tier.get(r["tier"], 0) + 1
    lines.append("killed by tier: " + ", ".join("%s %d" % kv for kv in sorted(by_tier.items())))
    kept = sum(1 for r in results if r.get("kept"))
    if kept:
        lines.append("%d results were kept from an earlier baseline (--keep-kills): the same mutant, killed by a "
                     "test that still exists, or stillborn or equivalent" % kept)
    lines += ["", "## Survivors", ""]
    for r in results:
        if r["status"] == "survived":
            lines.append("* %s:%d [%s] `%s` -> `%s`%s" % (r["file"], r["line"], r["op"], one_line(r["orig"]),
                                                          one_line(r["repl"]),
                                                          " — " + r["test"] if r.get("test") else ""))
    lines += ["", "## Every mutant", "", "| # | status | tier | file:line | op | original | mutated | test |",
              "|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(results):
        lines.append("| %d | %s | %s | %s:%d | %s | `%s` | `%s` | %s |" % (
            i + 1, r["status"], r.get("tier") or "", r["file"], r["line"], r["op"], one_line(r["orig"]).replace("|", "\\|"),
            one_line(r["repl"]).replace("|", "\\|"), (r.get("test") or "").replace("|", "\\|")))
    text = "\n".join(lines) + "\n"
    with open(os.path.join(work, "report.md"), "w") as f:
        f.write(text)
    tree.save_json(os.path.join(work, "report.json"), {"counts": counts, "score": score, "mutants": results})
    return counts, score


def one_line(s, width=90):
    s = " ".join(s.split())
    return s if len(s) <= width else s[:width - 3] + "..."


def main():
    ap = argparse.ArgumentParser(prog="./janus mutate", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", default=["kernel"], help="files or folders to mutate (default: kernel)")
    ap.add_argument("--n", type=int, default=40, help="mutants to sample (default 40)")
    ap.add_argument("--seed", type=int, default=1, help="sampling seed (default 1)")
    ap.add_argument("--rev", default="HEAD", help="the commit whose tree is mutated (default HEAD)")
    ap.add_argument("--no-hw", action="store_true", help="skip the hw tier (QEMU boots of the bare-metal kernel)")
    ap.add_argument("--fresh", action="store_true", help="ignore cached results and the cached baseline")
    ap.add_argument("--list", action="store_true", help="print the sampled mutants and stop")
    ap.add_argument("--keep-kills", action="store_true",
                    help="reuse a kill from an earlier baseline when the mutant is the same and the killing test "
                         "still exists (incremental: rerun only survivors after adding tests)")
    args = ap.parse_args()

    repo = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    work = os.path.join(repo, "build", "mutate")
    os.makedirs(work, exist_ok=True)
    args.paths = [os.path.relpath(os.path.realpath(p), repo) for p in args.paths]
    lock = open(os.path.join(work, "lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise SystemExit("mutate: another ./janus mutate is running (build/mutate/lock)")
    trees = tree.Trees(repo, work, args.rev)
    start = time.time()
    say("syncing build/mutate/src with %s" % args.rev)
    tree_id = trees.sync()
    trees.configure()
    say("building the unmutated trees (build/mutate/{host,x86_64,x86_64-ref}; log: build/mutate/build.log)")
    trees.build_baseline()
    sites = load_sites(trees, tree_id, args.paths)
    if not sites:
        raise SystemExit("mutate: no mutation sites in %s" % " ".join(args.paths))
    chosen = sample(sites, args.n, args.seed)
    say("%d sites in %d files; %d sampled with seed %d" % (len(sites), len({s["file"] for s in sites}), len(chosen),
                                                           args.seed))
    if args.list:
        for s in chosen:
            print("%s:%d [%s] %s -> %s" % (s["file"], s["line"], s["op"], one_line(s["orig"]), one_line(s["repl"])))
        return 0
    base = Baseline(trees, tree_id, args.fresh)
    cache_path = os.path.join(work, "cache.json")
    cache = {} if args.fresh else tree.load_json(cache_path, {})
    log = os.path.join(work, "tests.log")
    results, ran, ran_seconds = [], 0, 0.0
    for i, s in enumerate(chosen):
        with open(os.path.join(trees.src, s["file"]), "rb") as f:
            original = f.read()
        mutated = original[:s["start"]] + s["repl"].encode() + original[s["end"]:]
        hw_flag = "hw" if not args.no_hw else "nohw"
        mkey = sha(TOOL_VERSION, s["file"], hashlib.sha256(mutated).hexdigest())
        key = sha(TOOL_VERSION, s["file"], hashlib.sha256(mutated).hexdigest(), base.fingerprint, hw_flag)
        tag = "[%d/%d] %s:%d %s `%s` -> `%s`" % (i + 1, len(chosen), s["file"], s["line"], s["op"],
                                                 one_line(s["orig"], 40), one_line(s["repl"], 40))
        earlier = kept_result(cache, mkey, base, not args.no_hw) if args.keep_kills else None
        if key in cache and cache[key]["status"] != "error":  # an error is the tool's failure: run it again
            r = cache[key]
            say("%s: %s (cached)" % (tag, r["status"]))
        elif earlier is not None:
            r = dict(earlier, kept=True)
            say("%s: %s%s (kept from an earlier baseline)" % (tag, r["status"], " by %s %s" % (r["tier"], r["test"])
                                                            if r["status"] == "killed" else ""))
        else:
            t0 = time.time()
            r = run_mutant(trees, base, s, original, not args.no_hw, log)
            r["seconds"] = round(time.time() - t0, 1)
            r["mutant"] = mkey
            ran += 1
            ran_seconds += r["seconds"]
            cache[key] = r
            tree.save_json(cache_path, cache)
            say("%s: %s%s (%.0f s)" % (tag, r["status"], " by %s %s" % (r["tier"], r["test"]) if r["status"] in
                                       ("killed", "timeout") else "", r["seconds"]))
        results.append(dict(s, **r))
    counts, score = report(results, args, work, time.time() - start, ran_seconds / ran if ran else 0.0)
    print("%d mutants: %d killed, %d survived, %d timeout, %d stillborn, %d equivalent, %d error; score %.1f%% "
          "(killed / (killed + survived)); report: build/mutate/report.md" % (
              len(results), counts["killed"], counts["survived"], counts["timeout"], counts["stillborn"],
              counts["equivalent"], counts["error"], score))
    for r in results:
        if r["status"] == "survived":
            print("survived: %s:%d [%s] %s -> %s" % (r["file"], r["line"], r["op"], one_line(r["orig"]),
                                                     one_line(r["repl"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
