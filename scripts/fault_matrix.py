#!/usr/bin/env python3
"""The fault matrix table of docs/reliability.md, from the rows the matrix's cells wrote.

Each cell of fault_matrix_test (plugins/sandbox/tests/fault_matrix_test.cpp) that passes writes
one JSON row to <build>/fault_matrix/<system>-<fault>.json. This script renders them as a
markdown table (faults down, systems across) between the markers

    <!-- fault-matrix:begin -->  ...  <!-- fault-matrix:end -->

    --check  exit 1 (with a diff) when the document's table is not the one the rows make, or a
             cell has no row (it failed, or did not run)
    --write  put the rendered table into the document
"""
import argparse
import difflib
import json
import pathlib
import sys

BEGIN = "<!-- fault-matrix:begin -->"
END = "<!-- fault-matrix:end -->"
SYSTEMS = ["Zendesk", "Salesforce", "Microsoft Graph"]


def cell_text(row):
    first = row["first_answer"]
    text = f"applied: {row['retry']}" if first == "applied" else f"`{first}`; retry {row['retry']}"
    return f"{text}; completion {row['completion']}"


def render(rows_dir):
    rows = []
    for path in sorted(pathlib.Path(rows_dir).glob("*.json")):
        rows.append(json.loads(path.read_text(encoding="utf-8")))
    faults = {}
    for row in rows:
        faults.setdefault(row["fault_index"], {"title": row["fault"], "injected": row["injected"],
                                               "cells": {}})
        faults[row["fault_index"]]["cells"][row["system"]] = cell_text(row)
    lines = ["| fault | injected by the sandbox | " + " | ".join(SYSTEMS) + " |",
             "| --- | --- | " + " | ".join("---" for _ in SYSTEMS) + " |"]
    missing = []
    for index in sorted(faults):
        f = faults[index]
        cells = []
        for system in SYSTEMS:
            if system not in f["cells"]:
                missing.append(f"{system} × {f['title']}")
            cells.append(f["cells"].get(system, "**no row: the cell failed or did not run**"))
        lines.append(f"| {f['title']} | {f['injected']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n", missing, len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", required=True, help="the directory the cells wrote")
    parser.add_argument("--doc", required=True, help="docs/reliability.md")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--write", action="store_true")
    parser.add_argument("--cells", type=int, default=36, help="cells the matrix has")
    args = parser.parse_args()

    table, missing, count = render(args.rows)
    doc_path = pathlib.Path(args.doc)
    doc = doc_path.read_text(encoding="utf-8")
    if BEGIN not in doc or END not in doc:
        print(f"{args.doc}: no {BEGIN} ... {END} block for the fault matrix", file=sys.stderr)
        return 1
    head, rest = doc.split(BEGIN, 1)
    current, tail = rest.split(END, 1)
    if missing or count != args.cells:
        print(f"{args.rows}: {count} rows for {args.cells} cells; without a row: "
              + (", ".join(missing) or "(whole faults)"), file=sys.stderr)
        if args.check:
            return 1
    wanted = "\n" + table
    if args.write:
        doc_path.write_text(head + BEGIN + wanted + END + tail, encoding="utf-8")
        print(f"{args.doc}: fault matrix written from {count} rows")
        return 0
    if current != wanted:
        sys.stderr.writelines(difflib.unified_diff(
            current.splitlines(True), wanted.splitlines(True),
            f"{args.doc} (committed)", "what the cells wrote"))
        print(f"\n{args.doc}: the fault matrix differs from what the tests found; "
              "`make fault-matrix-table` writes it", file=sys.stderr)
        return 1
    print(f"{args.doc}: the fault matrix is what the {count} cells wrote")
    return 0


if __name__ == "__main__":
    sys.exit(main())
