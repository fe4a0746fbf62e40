#!/usr/bin/env bash
# Builds the emulated kernel library of a module: its kernel-only .cu files compiled for the CPU by g++
# through losses-core/src/main/cuda/emu/cuda_emu.h (see that header), for the Java tests' emulated launcher.
# Usage: build-emulation.sh <module source .cpp> <output .so> [extra g++ flags, e.g. -fsanitize=thread]
# Without g++ it prints why and exits 0: the emulation tests then skip with the same message.
set -euo pipefail
src="$(realpath "$1")"
out=$2
shift 2
header_dir="$(cd "$(dirname "$0")/../../main/cuda/emu" && pwd)"
if ! command -v g++ >/dev/null 2>&1; then
    echo "[lossforge] g++ not found: the CUDA emulation library $(basename "$out") is not built; emulation tests will skip"
    exit 0
fi
mkdir -p "$(dirname "$out")"
# up to date when the library is newer than every file its last build read (g++ -MMD lists them)
if [[ -f "$out" && -f "$out.d" ]]; then
    stale=0
    for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$out.d"); do
        [[ ! -e "$dep" || "$dep" -nt "$out" ]] && stale=1
    done
    [[ $stale == 0 ]] && exit 0
fi
g++ -std=c++20 -O1 -g -fPIC -shared -pthread -Wall -Wno-unknown-pragmas -include "$header_dir/cuda_emu.h" \
    -MMD -MF "$out.d" "$@" "$src" -o "$out"
echo "[lossforge] built $(basename "$out")"
