"""Result lines for run.sh.

result_line.py NOTEBOOK: prints the "RESULT ..." lines the executed notebook's cells wrote; fails when a cell
failed or none wrote one.
result_line.py --surefire DIR PREFIX: prints PREFIX with the test counts of the Surefire reports in DIR; fails
when a test failed or none ran.
"""
import glob
import json
import re
import sys


def notebook(path):
    results = []
    for cell in json.load(open(path, encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                sys.exit(f"{path}: a cell failed: {output.get('ename')}: {output.get('evalue')}")
            text = output.get("text", "")
            text = "".join(text) if isinstance(text, list) else text
            results += [line for line in text.splitlines() if line.startswith("RESULT")]
    if not results:
        sys.exit(f"{path}: no RESULT line in the outputs")
    print("\n".join(results))


def surefire(directory, prefix):
    total = failed = 0
    for report in glob.glob(directory + "/*.txt"):
        m = re.search(r"Tests run: (\d+), Failures: (\d+), Errors: (\d+)", open(report, encoding="utf-8").read())
        if m:
            total += int(m[1])
            failed += int(m[2]) + int(m[3])
    print(f"{prefix}; {total - failed} passed, {failed} failed")
    if failed or not total:
        sys.exit(1)


if sys.argv[1] == "--surefire":
    surefire(sys.argv[2], sys.argv[3])
else:
    notebook(sys.argv[1])
