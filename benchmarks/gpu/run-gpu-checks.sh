#!/usr/bin/env bash
# The GPU check of LossForge's CUDA kernels, prepared to run on a machine with an NVIDIA GPU, offline, in under
# 10 minutes (see the README's "CUDA" section). It writes a markdown report with the GPU's name.
#
#   benchmarks/gpu/run-gpu-checks.sh [report.md]        (default: benchmarks/results/gpu-check.md)
#
# GPU_CHECK_SMALL=1 leaves out the large timed case (a quick run).
# Needs: the GPU's driver (libcuda.so.1) and g++ (C++20), which builds the driver-API harness (gpu_check.cpp,
# no CUDA headers needed) and the CPU emulation libraries the GPU results are compared with.
# 1. gpu_check: the committed PTX loaded with cuModuleLoadData, every kernel on the GPU vs the CPU emulation of
#    the same .cu file with the same arguments (cce forward/backward in float32 and float64 with every option,
#    filtering and a permuted vocabulary; segregation, retention and layout with K = 1 and odd maps), and the
#    cce kernels at N=8192, D=2048, V=131072 timed with CUDA events, first token losses vs double loops.
# 2. compute-sanitizer memcheck and racecheck over the small cases, when compute-sanitizer is on PATH or in
#    /usr/local/cuda*/bin (skipped, saying so, otherwise).
# 3. DJL: the registry's CUDA kernel vs the portable path vs the naive composition at the same cce shape, and
#    the attention kernels on CUDA arrays vs the CPU kernel (DjlCudaComparison.java), only when java is present,
#    PYTORCH_LIBRARY_PATH holds a CUDA libtorch 2.7.1 that DJL 0.36 can load (with PYTORCH_FLAVOR and
#    PYTORCH_VERSION set for it) and LOSSFORGE_CLASSPATH lists the LossForge and DJL jars (write it on a
#    machine with Maven: `mvn -q -pl losses-diffusion -am package -DskipTests dependency:build-classpath
#    -Dmdep.outputFile=cp.txt` and add losses-*/target/*.jar); skipped, saying which of these is missing,
#    otherwise. DJL downloads a CUDA libtorch at run time from its own site, so offline it must be provided.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
report="${1:-$root/benchmarks/results/gpu-check.md}"
work="$root/benchmarks/gpu/target"
mkdir -p "$work" "$(dirname "$report")"
status=0
log() { echo "$@" | tee -a "$report"; }

: > "$report"
log "# GPU check of the CUDA kernels"
log ""
log "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
if command -v nvidia-smi >/dev/null 2>&1; then
    log "- GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)"
fi
log "- host: $(nproc) cores, $(uname -sm)"
log ""

if ! command -v g++ >/dev/null 2>&1; then
    log "g++ not found: the harness and the CPU emulation cannot be built; nothing checked."
    exit 1
fi
build="$root/losses-core/src/test/native/build-emulation.sh"
"$build" "$root/losses-core/src/test/native/cce_emu.cpp" "$work/libcce_emu.so" -O2 >/dev/null \
    && "$build" "$root/losses-diffusion/src/test/native/attention_emu.cpp" "$work/libattention_emu.so" -O2 >/dev/null \
    && g++ -std=c++20 -O2 -o "$work/gpu_check" "$root/benchmarks/gpu/gpu_check.cpp" -ldl \
    || { log "building the harness failed"; exit 1; }
cce_ptx="$root/losses-core/src/main/resources/lossforge/cuda/cce.ptx"
attention_ptx="$root/losses-diffusion/src/main/resources/lossforge/cuda/attention.ptx"

log "## 1. Kernels through the driver API vs the CPU emulation"
log ""
timeout 300 "$work/gpu_check" "$cce_ptx" "$attention_ptx" "$work" ${GPU_CHECK_SMALL:+--small} > "$work/gpu_check.log" 2>&1
rc=$?
cat "$work/gpu_check.log" >> "$report"
cat "$work/gpu_check.log"
[[ $rc == 0 ]] || { log "gpu_check failed (exit $rc)"; status=1; }
log ""

log "## 2. compute-sanitizer"
log ""
sanitizer=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -1)
if [[ -z "$sanitizer" ]]; then
    log "skipped: compute-sanitizer not found (it ships with the CUDA toolkit)"
else
    for tool in memcheck racecheck; do
        timeout 150 "$sanitizer" --tool $tool --error-exitcode 9 "$work/gpu_check" "$cce_ptx" "$attention_ptx" "$work" \
            --small > "$work/$tool.log" 2>&1
        rc=$?
        summary=$(grep -E "ERROR SUMMARY|RACECHECK SUMMARY|HAZARD" "$work/$tool.log" | tail -2 | tr '\n' ' ')
        log "- $tool: exit $rc; ${summary:-no summary line} (log: benchmarks/gpu/target/$tool.log)"
        [[ $rc == 0 ]] || status=1
    done
fi
log ""

log "## 3. DJL on CUDA: CUDA kernel vs portable path vs naive"
log ""
missing=()
command -v java >/dev/null 2>&1 || missing+=("java")
ls "${PYTORCH_LIBRARY_PATH:-/nonexistent}"/libtorch_cuda.so >/dev/null 2>&1 \
    || missing+=("a CUDA libtorch in PYTORCH_LIBRARY_PATH")
[[ -n "${LOSSFORGE_CLASSPATH:-}" ]] || missing+=("LOSSFORGE_CLASSPATH")
if (( ${#missing[@]} > 0 )); then
    log "skipped: missing $(IFS=,; echo "${missing[*]}" | sed 's/,/, /g') (see the header of this script)"
else
    timeout 240 java -Dai.djl.offline=true -cp "$LOSSFORGE_CLASSPATH" "$root/benchmarks/gpu/DjlCudaComparison.java" \
        > "$work/djl.log" 2>&1
    rc=$?
    cat "$work/djl.log" >> "$report"
    [[ $rc == 0 ]] || { log "DJL comparison failed (exit $rc)"; status=1; }
fi
log ""
log "overall: $([[ $status == 0 ]] && echo passed || echo FAILED)"
exit $status
