#!/usr/bin/env bash
# Builds and runs the consumer project against the LossForge artifacts installed in the local Maven
# repository (run `mvn -B -q install -DskipTests` at the repository root first). LOSSFORGE_M2, when set,
# is the local repository to use instead of ~/.m2/repository. ai.djl.offline=true makes any download an
# error, so a green run proves the README's dependency snippet works offline.
set -euo pipefail
cd "$(dirname "$0")"
repo=()
if [[ -n "${LOSSFORGE_M2:-}" ]]; then
    repo=("-Dmaven.repo.local=$LOSSFORGE_M2")
fi
mvn -B -q "${repo[@]}" -Dai.djl.offline=true compile exec:java
