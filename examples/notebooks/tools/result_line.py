"""Prints the "RESULT ..." lines an executed notebook's cells wrote, and fails when a cell failed or none did."""
import json
import sys

notebook = json.load(open(sys.argv[1], encoding="utf-8"))
results = []
for cell in notebook["cells"]:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            sys.exit(f"{sys.argv[1]}: a cell failed: {output.get('ename')}: {output.get('evalue')}")
        text = output.get("text", "")
        text = "".join(text) if isinstance(text, list) else text
        results += [line for line in text.splitlines() if line.startswith("RESULT")]
if not results:
    sys.exit(f"{sys.argv[1]}: no RESULT line in the outputs")
print("\n".join(results))
