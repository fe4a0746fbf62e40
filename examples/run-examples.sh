#!/usr/bin/env bash
# Runs the runnable examples of io.github.lossforge.examples.
#   examples/run-examples.sh                      every example below in its --quick mode (what CI runs):
#                                                 one line each with its result and time; fails on any error
#   examples/run-examples.sh NAME [ARGS...]       one example, e.g.
#                                                 examples/run-examples.sh contrastive.ContrastivePretraining --loss barlow-twins
# The modules must be buildable (after the README's install command, or `mvn -B verify`); one Maven call
# compiles what is stale and writes the classpath, then every example runs in its own plain JVM.
set -euo pipefail
cd "$(dirname "$0")/.."

# every runnable example (a main class under io.github.lossforge.examples with a --quick mode)
EXAMPLES=(
  contrastive.ContrastivePretraining
  contrastive.MetricLearning
  lm.TinyLanguageModel
  segmentation.RingSegmentation
  segmentation.ImageDenoising
  segmentation.Pansharpening
  regression.HistogramRegression
  regression.ScalarRegression
  regression.StableLearning
  classification.BinaryClassification
  classification.MulticlassClassification
  classification.MultiLabelClassification
  classification.TestTimeAdaptation
  density.EnergyDensity
  condensation.DatasetCondensation
  calibration.PlattCalibration
  calibration.TemperatureCalibration
  face.SymFaceWithArcFace
)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! mvn -B -q -Dstyle.color=never -pl examples -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/runtime-classpath.txt -Dmdep.includeScope=runtime >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
classpath="examples/target/classes:$(cat examples/target/runtime-classpath.txt)"
# the examples run thousands of small ops: libtorch's intra-op thread pool only adds contention there
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
run() {
  java -Dai.djl.offline=true -Dai.djl.pytorch.graph_optimizer=false -cp "$classpath" "io.github.lossforge.examples.$@"
}

if [[ $# -gt 0 ]]; then
  run "$@"
  exit
fi

seconds_since() { # a start in ms -> elapsed seconds with one decimal
  local ms=$(( $(date +%s%3N) - $1 ))
  printf '%d.%d' $(( ms / 1000 )) $(( ms % 1000 / 100 ))
}

failed=()
total_start=$(date +%s%3N)
for example in "${EXAMPLES[@]}"; do
  start=$(date +%s%3N)
  if run "$example" --quick >"$log" 2>&1 && grep -q '^result: ' "$log"; then
    printf '%-40s %6s s  %s\n' "$example" "$(seconds_since "$start")" "$(grep '^result: ' "$log" | tail -1)"
  else
    echo "FAILED: $example --quick" >&2
    sed 's/^/    /' "$log" >&2
    failed+=("$example")
  fi
done
printf 'examples: %d run in %s s' "${#EXAMPLES[@]}" "$(seconds_since "$total_start")"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo ", failed: ${failed[*]}"
  exit 1
fi
echo ", all green"
