#!/usr/bin/env bash
# The committed PTX of a module's CUDA kernels (src/main/cuda/*.cu → src/main/resources/lossforge/cuda/*.ptx).
#   cuda-ptx.sh check  <module dir>          regenerate into target/ptx and fail if the committed PTX is stale
#                                             (compared only when this nvcc is the one that made the committed file)
#   cuda-ptx.sh write  <module dir>          regenerate and overwrite the committed PTX
#   cuda-ptx.sh report <out.md> <module dir>...   ptxas -v summary for sm_80 and sm_90 (registers, shared
#                                             memory, spills) as a markdown table
# The PTX is generated for compute_80 by nvcc and its ISA version lowered from nvcc 13's 9.0 (which only r580+
# drivers load) to PTX_VERSION below, after checking that ptxas accepts it for sm_80 and sm_90 without spills.
# Without nvcc (a machine with no CUDA toolkit) it says so and exits 0: the committed PTX ships as it is.
set -euo pipefail
PTX_VERSION=7.0  # CUDA 11.0: drivers r450 and newer
mode=$1
shift
if ! command -v nvcc >/dev/null 2>&1 || ! command -v ptxas >/dev/null 2>&1; then
    echo "[lossforge] nvcc/ptxas not found: the committed PTX is not regenerated or checked"
    exit 0
fi

# generate <cu> <out.ptx>: nvcc, lowered version, and ptxas's approval (no spills) for both targets
generate() {
    local cu=$1 out=$2
    nvcc -ptx -arch=sm_80 -std=c++17 "$cu" -o "$out.raw"
    sed -E "s/^\.version [0-9]+\.[0-9]+$/.version $PTX_VERSION/" "$out.raw" > "$out"
    rm -f "$out.raw"
    for arch in sm_80 sm_90; do
        local log
        log=$(ptxas -arch=$arch -v "$out" -o /dev/null 2>&1) || {
            echo "$log"
            echo "[lossforge] ptxas rejects $(basename "$out") as PTX $PTX_VERSION for $arch: raise PTX_VERSION in $0"
            exit 1
        }
        if grep -E '[1-9][0-9]* bytes spill (stores|loads)' <<<"$log" >/dev/null; then
            echo "$log" | grep -B2 'spill'
            echo "[lossforge] $(basename "$out") spills registers on $arch"
            exit 1
        fi
    done
}

case $mode in
check | write)
    module=$(cd "$1" && pwd)
    committed=$module/src/main/resources/lossforge/cuda
    fresh=$module/target/ptx
    mkdir -p "$fresh" "$committed"
    stale=0
    skipped=0
    for cu in "$module"/src/main/cuda/*.cu; do
        name=$(basename "$cu" .cu)
        generate "$cu" "$fresh/$name.ptx"
        # the PTX records its nvcc: another toolkit writes other (equally valid) PTX, so only the same one compares
        made_by=$(grep -m1 '^// Cuda compilation tools' "$committed/$name.ptx" 2>/dev/null || true)
        this_nvcc=$(grep -m1 '^// Cuda compilation tools' "$fresh/$name.ptx")
        if [[ $mode == check && -n "$made_by" && "$made_by" != "$this_nvcc" ]]; then
            echo "[lossforge] $name.ptx was made by '${made_by#// }', this is '${this_nvcc#// }': not compared"
            skipped=1
            continue
        fi
        if [[ $mode == write ]]; then
            cp "$fresh/$name.ptx" "$committed/$name.ptx"
            echo "[lossforge] wrote $committed/$name.ptx"
        elif ! cmp -s "$fresh/$name.ptx" "$committed/$name.ptx"; then
            echo "[lossforge] $committed/$name.ptx is stale: run $0 write $1 and commit it"
            stale=1
        fi
    done
    [[ $mode == check && $stale == 0 && $skipped == 0 ]] && echo "[lossforge] committed PTX of $(basename "$module") matches $(nvcc --version | tail -1)"
    exit $stale
    ;;
report)
    out=$1
    shift
    {
        echo "| module | kernel | arch | registers | shared memory (bytes) | spill stores / loads (bytes) |"
        echo "|---|---|---|---:|---:|---|"
        for module in "$@"; do
            for ptx in "$module"/src/main/resources/lossforge/cuda/*.ptx; do
                for arch in sm_80 sm_90; do
                    ptxas -arch=$arch -v "$ptx" -o /dev/null 2>&1 | awk -v m="$(basename "$ptx")" -v a=$arch '
                        /Compiling entry function/ { gsub(/\047/, "", $7); k = $7 }
                        /spill stores/ { spill = $5 " / " $9 }
                        /Used [0-9]+ registers/ { regs = $5; smem = 0
                            for (i = 1; i <= NF; i++) if ($i ~ /^smem/) smem = $(i - 2)
                            printf "| %s | %s | %s | %s | %s | %s |\n", m, k, a, regs, smem, spill }'
                done
            done
        done
    } > "$out"
    echo "[lossforge] wrote $out"
    ;;
*)
    echo "usage: $0 check|write <module dir> | report <out.md> <module dir>..." >&2
    exit 2
    ;;
esac
