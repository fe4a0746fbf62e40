#!/usr/bin/env bash
# Runs LossForge from Kotlin and Scala, headless, and fails on any error:
#   1. the Kotlin notebook examples/notebooks/lossforge-kotlin.ipynb (Kotlin Jupyter kernel, executed in place
#      with nbconvert, so its outputs are the ones committed),
#   2. the Kotlin script examples/kotlin/train.main.kts,
#   3. the Scala script examples/scala/train.sc (Almond's syntax, run by Ammonite),
#   4. the Scala 3 program examples/scala-program (scala-maven-plugin) and the Kotlin API check
#      examples/kotlin-api-check (kotlin-maven-plugin: fails when a change breaks Kotlin callers).
# Each prints a final "RESULT ..." line. The LossForge artifacts must be in ~/.m2 first:
#   mvn -B -q install -DskipTests
# The kernel, the Kotlin compiler and Ammonite come from Maven Central (pinned in tools/*/pom.xml) into
# $LOSSFORGE_TOOLS_CACHE (default ~/.cache/lossforge-tools), once. Options: --keep-notebook executes the
# notebook into a temporary copy instead of rewriting the committed one.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${LOSSFORGE_TOOLS_CACHE:-$HOME/.cache/lossforge-tools}"
MVN=(mvn -B -q -Dstyle.color=never)
KEEP_NOTEBOOK=false
[[ "${1:-}" == "--keep-notebook" ]] && KEEP_NOTEBOOK=true

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

# The Kotlin kernel needs Java 17 (newer JVMs fail with "Unknown JVM target version").
find_java17() {
    local candidate
    for candidate in "${JAVA17_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk \
            /usr/lib/jvm/temurin-17-jdk-amd64; do
        if [[ -n "$candidate" && -x "$candidate/bin/java" ]] \
                && "$candidate/bin/java" -version 2>&1 | grep -q 'version "17'; then
            echo "$candidate"
            return
        fi
    done
    echo "run.sh: no Java 17 found (set JAVA17_HOME)" >&2
    exit 1
}
JAVA17_HOME="$(find_java17)"
JAVA="$JAVA17_HOME/bin/java"
export JAVA_HOME="$JAVA17_HOME"

# Jupyter: Debian's nbconvert/nbclient (PyPI is not needed).
PY=/usr/bin/python3
if ! "$PY" -c 'import nbconvert, nbclient' 2>/dev/null; then
    step "installing python3-nbconvert python3-nbclient"
    if [[ "$(id -u)" == 0 ]]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-nbconvert python3-nbclient >/dev/null
    else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-nbconvert python3-nbclient >/dev/null
    fi
fi

# install_tool NAME [DIR [STRIP]]: copies the dependencies of tools/NAME/pom.xml into $CACHE/NAME/DIR once per
# pom version (the stamp holds the pom's checksum); STRIP=true drops the versions from the file names.
install_tool() {
    local name="$1" dir="${2:-jars}" strip="${3:-false}" pom="$HERE/tools/$1/pom.xml" sum
    sum="$(sha256sum "$pom" | cut -c1-16)"
    if [[ ! -f "$CACHE/$name/.stamp-$sum" ]]; then
        step "installing $name into $CACHE/$name"
        rm -rf "${CACHE:?}/$name"
        mkdir -p "$CACHE/$name"
        "${MVN[@]}" -f "$pom" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
            -DoutputDirectory="$CACHE/$name/$dir" -Dmdep.stripVersion="$strip"
        touch "$CACHE/$name/.stamp-$sum"
    fi
}

# ---- 1. the Kotlin notebook ----
install_tool kotlin-kernel
install_tool kotlin-kernel-lib
KERNEL_DIR="$CACHE/jupyter/kernels/lossforge-kotlin"
mkdir -p "$KERNEL_DIR" "$CACHE/kernel-home"
LIB_CP="$(ls "$CACHE"/kotlin-kernel-lib/jars/*.jar | paste -sd: -)"
cat > "$KERNEL_DIR/kernel.json" <<EOF
{
  "display_name": "Kotlin (LossForge)",
  "language": "kotlin",
  "interrupt_mode": "message",
  "argv": ["$JAVA", "-Xmx2g", "-Dai.djl.offline=true", "-Djava.awt.headless=true",
           "-Dlogback.configurationFile=$HERE/tools/logback.xml",
           "-cp", "$CACHE/kotlin-kernel/jars/*", "org.jetbrains.kotlinx.jupyter.IkotlinKt",
           "-classpath=$LIB_CP", "{connection_file}", "-home=$CACHE/kernel-home"]
}
EOF
export JUPYTER_PATH="$CACHE/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

step "Kotlin notebook"
NOTEBOOK="$HERE/lossforge-kotlin.ipynb"
OUT_DIR="$HERE"
if $KEEP_NOTEBOOK; then
    OUT_DIR="$(mktemp -d)"
    trap 'rm -rf "$OUT_DIR"' EXIT
fi
"$PY" -m nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=lossforge-kotlin \
    --ExecutePreprocessor.timeout=300 --output-dir "$OUT_DIR" --output lossforge-kotlin.ipynb "$NOTEBOOK" \
    --log-level=WARN
"$PY" "$HERE/tools/result_line.py" "$OUT_DIR/lossforge-kotlin.ipynb"

# ---- 2. the Kotlin script ----
install_tool kotlin-script lib true
step "Kotlin script examples/kotlin/train.main.kts"
"$JAVA" -Xmx2g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
    -cp "$CACHE/kotlin-script/lib/*" org.jetbrains.kotlin.cli.jvm.K2JVMCompiler \
    -kotlin-home "$CACHE/kotlin-script" -script "$ROOT/examples/kotlin/train.main.kts"

# ---- 3. the Scala script (Almond syntax, through Ammonite) ----
install_tool ammonite
step "Scala script examples/scala/train.sc"
"$JAVA" -Xmx2g -Dai.djl.offline=true -cp "$CACHE/ammonite/jars/*" ammonite.AmmoniteMain --silent \
    "$ROOT/examples/scala/train.sc"

# ---- 4. the Scala 3 program and the Kotlin API check (standalone Maven projects) ----
step "Scala 3 program examples/scala-program"
"${MVN[@]}" -f "$ROOT/examples/scala-program" verify
step "Kotlin API check examples/kotlin-api-check"
"${MVN[@]}" -f "$ROOT/examples/kotlin-api-check" verify
"$PY" "$HERE/tools/result_line.py" --surefire "$ROOT/examples/kotlin-api-check/target/surefire-reports" \
    "RESULT kotlin-api-check: Kotlin callers compile (JSpecify strict, warnings as errors)"

step "done"
