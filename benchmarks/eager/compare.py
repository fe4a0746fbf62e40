"""Runs the eager comparison: LossForge (benchmarks' EagerComparison, one JVM per round) and the same
formulas in PyTorch eager (losses.py, one process per round), interleaved round by round on one thread
each, and prints the LossForge / PyTorch ratio table (median over rounds, with the range of the
per-round ratios to show stability). Writes benchmarks/results/eager.md and eager.json.

Usage (from the repository root, after `mvn -B -q -o -pl benchmarks -am compile`):
  /usr/bin/python3 benchmarks/eager/compare.py [--rounds 3] [--warmup 3] [--iterations 10]
      [--checks full|shapes] [--out benchmarks/results]
      [--baseline-classpath CP] [ID...]
PyTorch comes from Debian's python3-torch (apt-get install python3-torch; a real BLAS such as
libopenblas0-pthread, else matrix products run on the reference BLAS). CI does not need it.
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MODULES = ["losses-core", "losses-contrastive", "losses-segmentation", "losses-diffusion", "benchmarks"]


def classpath():
    out = ROOT / "benchmarks" / "target" / "eager-classpath.txt"
    subprocess.run(["mvn", "-B", "-q", "-o", "-pl", "benchmarks", "dependency:build-classpath",
                    "-Dmdep.outputFile=" + str(out)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    entries = [e for e in out.read_text().strip().split(os.pathsep)
               if not re.search(r"/io/github/lossforge/(losses-[a-z]+)/", e)]
    return os.pathsep.join([str(ROOT / m / "target" / "classes") for m in MODULES] + entries)


def env():
    e = dict(os.environ)
    e.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    return e


def run_java(cp, ids, a, checks):
    cmd = ["java", "-Xmx4g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
           "-Dai.djl.pytorch.num_interop_threads=1", "-Dlossforge.checks=" + checks, "-cp", cp,
           "io.github.lossforge.benchmarks.EagerComparison", "--warmup", str(a.warmup),
           "--iterations", str(a.iterations)] + ids
    return parse(subprocess.run(cmd, env=env(), capture_output=True, text=True, check=True).stdout, "LOSSFORGE")


def run_python(ids, a):
    cmd = ["/usr/bin/python3", str(HERE / "losses.py"), "--warmup", str(a.warmup),
           "--iterations", str(a.iterations)] + ids
    return parse(subprocess.run(cmd, env=env(), capture_output=True, text=True, check=True).stdout, "EAGER")


def parse(text, prefix):
    out = {}
    for line in text.splitlines():
        p = line.split()
        if len(p) == 3 and p[0] == prefix:
            out[p[1]] = float(p[2])
    return out


def loadavg():
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--checks", default="full,shapes",
                    help="comma-separated lossforge.checks levels, each timed on the LossForge side")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    ap.add_argument("--name", default="eager")
    ap.add_argument("--classpath", help="the LossForge side's class path (default: this checkout's modules)")
    ap.add_argument("--baseline-classpath",
                    help="a second LossForge class path (e.g. a copy of main's module classes), timed in the same"
                         " rounds under each checks level as 'before <level>', to compare two builds interleaved")
    ap.add_argument("ids", nargs="*")
    a = ap.parse_args()
    sys.path.insert(0, str(HERE))
    import losses  # noqa: E402  (the id list)
    ids = a.ids or list(losses.LOSSES)
    cp = a.classpath or classpath()
    start_load = loadavg()
    checks = a.checks.split(",")
    variants = [(lv, cp, lv) for lv in checks]
    if a.baseline_classpath:
        variants += [("before " + lv, a.baseline_classpath, lv) for lv in checks]
    levels = [v[0] for v in variants]
    java = {lv: {i: [] for i in ids} for lv in levels}
    torch_ms = {i: [] for i in ids}
    for r in range(a.rounds):
        sides = [(name, (lambda c=c, lv=lv: run_java(c, ids, a, lv))) for name, c, lv in variants]
        sides.append(("python", lambda: run_python(ids, a)))
        for name, run in (sides if r % 2 == 0 else sides[::-1]):
            t = run()
            for i in ids:
                (torch_ms[i] if name == "python" else java[name][i]).append(t[i])
        print(f"round {r + 1}/{a.rounds} done, load {loadavg()}", file=sys.stderr, flush=True)
    rows = []
    for i in ids:
        row = {"id": i, "pytorchMs": statistics.median(torch_ms[i])}
        for lv in levels:
            ratios = [j / p for j, p in zip(java[lv][i], torch_ms[i])]
            row[lv] = {"lossforgeMs": statistics.median(java[lv][i]), "ratio": statistics.median(ratios),
                       "ratioMin": min(ratios), "ratioMax": max(ratios)}
        rows.append(row)
    rows.sort(key=lambda x: -x[levels[0]]["ratio"])
    header = "| id | PyTorch ms | " + " | ".join(f"LossForge ms ({lv}) | ratio ({lv}) | range ({lv})" for lv in levels) + " |"
    md = ["# LossForge vs PyTorch eager, one thread each", "",
          "Forward + backward of the same formula at the same shapes (`EagerWorkloads` / `benchmarks/eager/losses.py`),"
          " float32, median of " + str(a.iterations) + " steps after " + str(a.warmup) + " warm-ups, per round;"
          " LossForge (once per `lossforge.checks` level) and PyTorch run interleaved, " + str(a.rounds)
          + " rounds (alternating which goes first). Ratio = LossForge / PyTorch (below 1: LossForge faster), the"
          " median over rounds, with the range of the per-round ratios. `full` includes the value checks (one host"
          " read per call), `shapes` the formula alone, as PyTorch.", "",
          f"- date: {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}",
          f"- machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}; shared with other jobs",
          f"- load average at start: {start_load}; at end: {loadavg()}",
          "- LossForge: DJL 0.36, libtorch 2.7.1 (DJL's build), OMP_NUM_THREADS=1",
          "- PyTorch: " + subprocess.run(["/usr/bin/python3", "-c", "import torch;print(torch.__version__)"],
                                         capture_output=True, text=True).stdout.strip()
          + " (Debian python3-torch, OpenBLAS), torch.set_num_threads(1)", "",
          header, "|---|---:|" + "---:|---:|---|" * len(levels)]
    for x in rows:
        md.append(f"| {x['id']} | {x['pytorchMs']:.2f} | " + " | ".join(
            f"{x[lv]['lossforgeMs']:.2f} | {x[lv]['ratio']:.2f}× | {x[lv]['ratioMin']:.2f}–{x[lv]['ratioMax']:.2f}"
            for lv in levels) + " |")
    md.append("")
    for lv in levels:
        ratios = [x[lv]["ratio"] for x in rows]
        md.append(f"- `{lv}`: median ratio {statistics.median(ratios):.2f}×; {sum(r <= 1.0 for r in ratios)} of"
                  f" {len(ratios)} ids at ≤ 1.00×.")
    text = "\n".join(md) + "\n"
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / (a.name + ".md")).write_text(text)
    (out / (a.name + ".json")).write_text(json.dumps({"checks": levels, "rounds": a.rounds, "results": rows},
                                                   indent=2) + "\n")
    print(text)


if __name__ == "__main__":
    main()
