#!/usr/bin/env python3
"""The ClusterFuzzLite / OSS-Fuzz build, run here as those services run it (ctest fuzz.clusterfuzzlite.build).

Runs .clusterfuzzlite/build.sh in the source tree with the environment OSS-Fuzz's base-builder gives it for a
libFuzzer + AddressSanitizer build ($CC, $CXX, $CFLAGS, $CXXFLAGS, $LIB_FUZZING_ENGINE, $OUT, $WORK), then checks
$OUT: every fuzz target of this tree's fuzz_targets.txt is there with its seed corpus, and each one runs its seed
corpus plus a fixed number of fresh inputs without a finding. $WORK is kept between runs (only changed sources
rebuild); $OUT is made afresh each time.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

# What the base-builder image sets for `--sanitizer address --engine libfuzzer` (infra/base-images, compile).
SANITIZER_FLAGS = ("-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION "
                   "-fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--source", required=True)
    p.add_argument("--work", required=True, help="the build's $WORK (kept)")
    p.add_argument("--targets", required=True, help="fuzz_targets.txt of a fuzz tree: the names expected")
    p.add_argument("--runs", type=int, default=200, help="fresh inputs per target after its seed corpus")
    args = p.parse_args()

    expected = sorted(os.path.basename(line.strip()) for line in open(args.targets) if line.strip())
    if not expected:
        print("FAIL: no fuzz targets listed in", args.targets)
        return 1
    os.makedirs(args.work, exist_ok=True)
    problems = []
    with tempfile.TemporaryDirectory(prefix="janus-cflite-out-") as out:
        env = dict(os.environ, CC="clang", CXX="clang++", CFLAGS=SANITIZER_FLAGS, CXXFLAGS=SANITIZER_FLAGS,
                   LIB_FUZZING_ENGINE="-fsanitize=fuzzer", OUT=out, WORK=args.work, SRC=os.path.dirname(args.source))
        build = subprocess.run(["bash", os.path.join(args.source, ".clusterfuzzlite", "build.sh")], cwd=args.source,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if build.returncode != 0:
            print(build.stdout[-4000:])
            print(f"FAIL: build.sh exited with {build.returncode}")
            return 1
        for name in expected:
            binary = os.path.join(out, name)
            corpus_zip = os.path.join(out, f"{name}_seed_corpus.zip")
            if not os.access(binary, os.X_OK):
                problems.append(f"{name}: not in $OUT")
                continue
            if not os.path.isfile(corpus_zip):
                problems.append(f"{name}: no {name}_seed_corpus.zip in $OUT")
                continue
            with tempfile.TemporaryDirectory(prefix=f"janus-cflite-{name}-") as corpus:
                with zipfile.ZipFile(corpus_zip) as z:
                    z.extractall(corpus)
                seeds = len(os.listdir(corpus))
                cmd = [binary, f"-runs={args.runs}", "-seed=1", "-print_final_stats=1", corpus]
                if os.path.isfile(os.path.join(out, f"{name}.dict")):
                    cmd.insert(1, f"-dict={os.path.join(out, name + '.dict')}")
                run = subprocess.run(cmd, cwd=corpus, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                if run.returncode != 0:
                    print(run.stdout[-3000:])
                    problems.append(f"{name}: exited with {run.returncode} on its seed corpus + {args.runs} runs")
                else:
                    print(f"PASS: {name}: built by build.sh, {seeds} seeds + {args.runs} fresh inputs, no finding")
    for problem in problems:
        print("FAIL:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
