#!/usr/bin/env bash
# Builds the emulated kernels' sanitizer drivers (cce here, the attention kernels of losses-diffusion) with
# ThreadSanitizer and with AddressSanitizer + UndefinedBehaviorSanitizer and runs them; any report fails.
# Usage (from the repository root or anywhere): losses-core/src/test/native/run-sanitizers.sh
# Without g++ it says so and exits 0.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
header="$root/losses-core/src/main/cuda/emu/cuda_emu.h"
out="$root/losses-core/target/sanitizers"
if ! command -v g++ >/dev/null 2>&1; then
    echo "[lossforge] g++ not found: CUDA emulation sanitizer runs skipped"
    exit 0
fi
mkdir -p "$out"
drivers=("$here/cce_sanitize.cpp")
[[ -f "$root/losses-diffusion/src/test/native/attention_sanitize.cpp" ]] \
    && drivers+=("$root/losses-diffusion/src/test/native/attention_sanitize.cpp")
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1"
status=0
for driver in "${drivers[@]}"; do
    name=$(basename "$driver" .cpp)
    for sanitizer in thread address,undefined; do
        exe="$out/$name-${sanitizer%%,*}"
        g++ -std=c++20 -O1 -g -pthread -fno-omit-frame-pointer -fsanitize=$sanitizer -Wall -Wno-unknown-pragmas \
            -include "$header" "$driver" -o "$exe"
        if "$exe" > "$exe.log" 2>&1; then
            echo "[lossforge] $name under -fsanitize=$sanitizer: clean ($(grep -c worst "$exe.log") runs)"
        else
            cat "$exe.log"
            echo "[lossforge] $name under -fsanitize=$sanitizer: FAILED (log $exe.log)"
            status=1
        fi
    done
done
exit $status
