#!/bin/bash -eu
# Builds every Janus fuzz target the OSS-Fuzz way (https://google.github.io/oss-fuzz/getting-started/new-project-guide/):
# compiled with $CC/$CXX and $CFLAGS/$CXXFLAGS (which carry the sanitizer and -fsanitize=fuzzer-no-link), linked
# with $LIB_FUZZING_ENGINE, written to $OUT with their dictionaries (fuzz_X.dict) and seed corpora
# (fuzz_X_seed_corpus.zip, from fuzz/corpus/X). Runs in the source tree ($SRC/janus in the image; the fuzz tier
# runs it from a checkout, boot.fuzz.clusterfuzzlite_build). The project's own sanitizer choice (JANUS_SANITIZE)
# is left empty: the environment's flags decide.
src="$(pwd)"
build="${WORK:-/tmp}/janus-fuzz-build"
cmake -S "$src" -B "$build" -G Ninja \
    -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
    -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" -DCMAKE_BUILD_TYPE= \
    -DJANUS_FUZZ=ON -DJANUS_SANITIZE= -DJANUS_TIERS=fuzz -DJANUS_FUZZ_ENGINE="$LIB_FUZZING_ENGINE"
cmake --build "$build" --target janus_fuzz_targets
while read -r target; do
    name="$(basename "$target")"     # fuzz_X
    corpus="$src/fuzz/corpus/${name#fuzz_}"
    cp "$target" "$OUT/"
    [[ -f "$src/fuzz/${name#fuzz_}.dict" ]] && cp "$src/fuzz/${name#fuzz_}.dict" "$OUT/$name.dict"
    if [[ -d "$corpus" ]]; then
        rm -f "$OUT/${name}_seed_corpus.zip"
        (cd "$corpus" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
    fi
done <"$build/fuzz_targets.txt"
