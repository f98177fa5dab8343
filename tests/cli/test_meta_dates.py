#!/usr/bin/env python3
"""meta.date, meta.title and meta.language end to end, the way the dates
benchmark runs a normaliser: `normalise` with its default options, then an
export to "-", through the JSONL filter with {"id", "text", "mtime"}.
Cases: tests/data/dates/meta_cases.jsonl (written for these tests): title
blocks, Published/Posted/Updated lines, datelines in several languages,
year-less datelines against the mtime, body dates that must not count, date
strings in the styles the parser reads, and texts without a date. Also
checks that date-only lines and title echoes are removed from the text and
that a second normalise pass leaves the text unchanged.

Run by CTest with the binary in env DOCPIPE; by hand:
    DOCPIPE=build/docpipe python3 tests/cli/test_meta_dates.py
"""
import json
import os
import subprocess
import sys
import tempfile

SRC = os.environ.get("DOCPIPE_SOURCE_DIR") or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CASES = os.path.join(SRC, "tests", "data", "dates", "meta_cases.jsonl")


def docpipe_binary():
    path = os.environ.get("DOCPIPE") or os.path.join(SRC, "build", "docpipe")
    if not os.access(path, os.X_OK):
        sys.exit("test_meta_dates: no docpipe binary at %s (set DOCPIPE)" % path)
    return os.path.abspath(path)


def run(dp, chain, docs):
    payload = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs).encode("utf-8")
    p = subprocess.run([dp, "run", "--quiet", "-c", chain, "--input-format", "jsonl", "-"],
                       input=payload, capture_output=True, timeout=300)
    out = {}
    for line in p.stdout.decode("utf-8").split("\n"):
        if line.strip():
            o = json.loads(line)
            out[str(o["id"])] = o
    return p.returncode, out, p.stderr.decode("utf-8", "replace")


def main():
    dp = docpipe_binary()
    with open(CASES, encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    tmp = tempfile.mkdtemp(prefix="docpipe-meta-dates-")
    chain = os.path.join(tmp, "chain.json")
    with open(chain, "w", encoding="utf-8") as f:
        json.dump({"stages": [{"plugin": "normalise"},
                              {"plugin": "export", "options": {"format": "jsonl", "path": "-"}}]},
                  f)
    docs = []
    for c in cases:
        d = {"id": c["id"], "text": c["text"]}
        if c.get("mtime"):
            d["mtime"] = c["mtime"]
        docs.append(d)
    rc, out, err = run(dp, chain, docs)
    passed = failed = 0

    def check(name, ok, why=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL %s: %s" % (name, why))

    check("exit status", rc == 0, "exit %d: %s" % (rc, err[-500:]))
    for c in cases:
        o = out.get(c["id"])
        if o is None:
            check(c["id"], False, "no output")
            continue
        meta = o.get("meta", {})
        got = meta.get("date")
        check(c["id"] + " date", got == c["expected_date"],
              "got %r, expected %r" % (got, c["expected_date"]))
        if "expected_title" in c:
            check(c["id"] + " title", meta.get("title") == c["expected_title"],
                  "got %r" % meta.get("title"))
        if "expected_language" in c:
            check(c["id"] + " language", meta.get("language") == c["expected_language"],
                  "got %r" % meta.get("language"))
        if "expected_removed" in c:
            check(c["id"] + " removed", c["expected_removed"] not in o.get("text", ""),
                  "%r still in the text" % c["expected_removed"])

    # Idempotence: normalise's output through normalise again keeps its text.
    again = [{"id": i, "text": o["text"]} for i, o in out.items()]
    rc2, out2, err2 = run(dp, chain, again)
    check("second pass exit", rc2 == 0, err2[-500:])
    for i, o in out.items():
        check(i + " idempotent", out2.get(i, {}).get("text") == o["text"], "text changed")

    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
