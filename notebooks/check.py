#!/usr/bin/python3
"""Checks executed GoNB notebooks for failures that nbconvert lets through.

nbconvert --execute exits 0 when a Go cell panics at run time or a `!` shell
cell fails (GoNB reports both as stderr text, not as kernel errors), so this
script reads the executed notebooks and fails on:

  * an "error" output (compile errors, GoNB errors, timeouts);
  * stderr containing a Go panic, a fatal runtime error, or "exit status N";
  * GoNB's HTML error block (shown instead of text without --raw_error);
  * a code cell that was never executed;
  * a cell that should show an image but shows none: cells tagged "image",
    and cells that run code (%% or func main) calling
    gonbui.DisplayPNG/DisplaySVG/DisplayImage directly.

Usage: /usr/bin/python3 notebooks/check.py EXECUTED.ipynb...
Exit status 1 when any notebook fails, with one line per problem.
"""

import re
import sys

import nbformat

FAILURE_PATTERNS = [
    (re.compile(r"^panic: ", re.M), "Go panic"),
    (re.compile(r"^fatal error: ", re.M), "Go fatal runtime error"),
    (re.compile(r"exit status \d+"), "non-zero exit status"),
    (re.compile(r"^ERROR: ", re.M), "GoNB error"),
]
IMAGE_CALL = re.compile(r"gonbui\.Display(PNG|Png|SVG|Svg|Image)\b|notebook\.(Show|ShowImage|ShowFigureFile)\(")
IMAGE_MIMES = ("image/png", "image/svg+xml", "image/jpeg")
GONB_HTML_ERROR = "gonb-err-location"


def cell_problems(cell):
    """Returns the problems found in one executed code cell."""
    problems = []
    if cell.get("execution_count") is None:
        problems.append("not executed")
    has_image = False
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "error":
            problems.append("error output: %s: %s" % (out.get("ename", ""), out.get("evalue", "")[:300]))
        elif kind == "stream" and out.get("name") == "stderr":
            text = out.get("text", "")
            for pattern, what in FAILURE_PATTERNS:
                m = pattern.search(text)
                if m:
                    start = max(0, m.start() - 200)
                    problems.append("%s in stderr: ...%s" % (what, text[start:m.end() + 300].strip()))
                    break
        elif kind in ("display_data", "execute_result"):
            data = out.get("data", {})
            if any(m in data for m in IMAGE_MIMES):
                has_image = True
            html = data.get("text/html", "")
            if GONB_HTML_ERROR in html:
                problems.append("GoNB error block in HTML output")
    tags = cell.get("metadata", {}).get("tags", [])
    source = cell.get("source", "")
    runs = re.search(r"^\s*(%%|%main\b|func main\()", source, re.M) is not None
    wants_image = "image" in tags or (runs and IMAGE_CALL.search(source) is not None)
    if wants_image and not has_image:
        problems.append("expected an image output, found none")
    return problems


def check(path):
    """Returns the problems of the notebook at path, one string each."""
    nb = nbformat.read(path, as_version=4)
    found = []
    code_cells = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code_cells += 1
        first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
        for p in cell_problems(cell):
            found.append("%s: cell %d (%s): %s" % (path, i, first[:60], p))
    if code_cells == 0:
        found.append("%s: no code cells" % path)
    return found


def main(paths):
    if not paths:
        print("usage: check.py EXECUTED.ipynb...", file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        problems = check(path)
        if problems:
            failed = True
            for p in problems:
                print("FAIL " + p)
        else:
            print("ok   %s" % path)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
