#!/usr/bin/env bash
# Runs every fuzz target for a bounded time with memory limits, starting
# from the committed seeds (fuzz/seeds/<target>/, which include the hostile
# files of issue #18). Fails on any crash, leak, timeout or limit breach; the
# input that caused it is written to fuzz/artifacts/<target>/.
#
#   fuzz/run-ci.sh            # 30 s per target (what CI runs)
#   FUZZ_SECONDS=3600 fuzz/run-ci.sh csv_import   # a longer run of one target
#
# Uses the nightly toolchain when there is one (`rustup toolchain install
# nightly`). Without it (CI installs only the pinned stable toolchain), the
# stable compiler is told it is bootstrapping (RUSTC_BOOTSTRAP=1), which
# makes it accept the -Z sanitizer flag; stable ships the AddressSanitizer
# runtime. Needs a C++ compiler (libFuzzer is built by libfuzzer-sys).
# cargo-fuzz is not needed: the flags below are the ones `cargo fuzz build`
# passes.
#
# Limits: -rss_limit_mb=2048 (AddressSanitizer's shadow memory counts too),
# -malloc_limit_mb=512 (no single allocation may reach the 500 MB a refusal
# is allowed in all), -timeout=10 s per input.
set -euo pipefail

cd "$(dirname "$0")"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-30}"
if rustup run nightly rustc --version >/dev/null 2>&1; then
    TOOLCHAIN=(+nightly)
else
    export RUSTC_BOOTSTRAP=1
    TOOLCHAIN=()
fi
TARGET_TRIPLE="$(rustc "${TOOLCHAIN[@]}" -vV | sed -n 's/^host: //p')"
ALL_TARGETS=(csv_import xlsx_import json_import id_parse restore_check plugin_document)
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

export RUSTFLAGS="-Cpasses=sancov-module \
 -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
 -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares \
 --cfg fuzzing -Zsanitizer=address -Cdebug-assertions -Coverflow-checks"
# An explicit --target keeps build scripts and proc macros uninstrumented.
cargo "${TOOLCHAIN[@]}" build --release --locked --target "$TARGET_TRIPLE" --bins

for t in "${TARGETS[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    echo "== $t: ${SECONDS_PER_TARGET}s"
    "target/$TARGET_TRIPLE/release/$t" \
        -max_total_time="$SECONDS_PER_TARGET" \
        -rss_limit_mb=2048 \
        -malloc_limit_mb=512 \
        -timeout=10 \
        -print_final_stats=1 \
        -artifact_prefix="artifacts/$t/" \
        "corpus/$t" "seeds/$t"
done
echo "fuzzing: no crash in ${TARGETS[*]}"
