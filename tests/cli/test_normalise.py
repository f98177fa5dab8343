#!/usr/bin/env python3
"""The normalise stage end to end, the way the project is judged: `normalise`
with its default options, then an export to "-". Checks, on the five seed
releases (tests/data/normalise), the text against the hand-cleaned form and
meta.title / meta.date (date part) against the benchmark's expected meta,
both as files in a folder and through the JSONL filter with an mtime; the
counts in meta.normalise; `docpipe plugins show normalise`; output identical
for -j 1 and -j 2; and bad input (empty, white space only, NUL bytes, a
50 MB line, 100,000 one-character lines).

Run by CTest with the binary in env DOCPIPE; by hand:
    DOCPIPE=build/docpipe python3 tests/cli/test_normalise.py
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from clitest import SRC, check, results, failures, docpipe_binary

DATA = os.path.join(SRC, "tests", "data", "normalise")


DP = docpipe_binary("test_normalise")
TMP = tempfile.mkdtemp(prefix="docpipe-normalise-")
CHAIN = os.path.join(TMP, "chain.json")
with open(CHAIN, "w", encoding="utf-8") as fh:
    json.dump({"stages": [{"plugin": "normalise"},
                          {"plugin": "export", "options": {"format": "jsonl", "path": "-"}}]}, fh)


def run(args, data=None, jobs=None):
    cmd = [DP, "run", "-c", CHAIN, "--quiet"] + (["-j", str(jobs)] if jobs else []) + args
    p = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    docs = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines() if l.strip()]
    return p.returncode, docs, p.stderr.decode("utf-8", "replace")


def jsonl(rows):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


with open(os.path.join(DATA, "expected_meta.json"), encoding="utf-8") as fh:
    EXPECTED = json.load(fh)


def clean_text(name):
    with open(os.path.join(DATA, "clean", name), encoding="utf-8") as fh:
        return fh.read().strip()


def check_seed(label, seed, doc):
    exp = EXPECTED[seed]
    got = doc.get("text", "")
    want = clean_text(exp["clean"])
    if not check("%s %s: text is the clean form" % (label, seed), got == want,
                 "first difference at %d" % next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                                                 min(len(got), len(want)))):
        return
    meta = doc.get("meta", {})
    check("%s %s: meta.title" % (label, seed), meta.get("title") == exp["title"], repr(meta.get("title")))
    date = meta.get("date")
    ok = (date is None) if exp["date"] is None else (isinstance(date, str) and date[:10] == exp["date"])
    check("%s %s: meta.date" % (label, seed), ok, "%r, expected %r" % (date, exp["date"]))


def test_seeds_folder():
    folder = os.path.join(DATA, "seeds")
    rc, docs, err = run([folder])
    check("seeds folder: exit 0", rc == 0, err[-500:])
    by_entry = {(d.get("source") or {}).get("entry") or d["id"].split("/")[-1]: d for d in docs}
    for seed in sorted(EXPECTED):
        if check("seeds folder: %s processed" % seed, seed in by_entry):
            check_seed("folder", seed, by_entry[seed])


def test_seeds_jsonl():
    rows = []
    for i, seed in enumerate(sorted(EXPECTED)):
        with open(os.path.join(DATA, "seeds", seed), encoding="utf-8") as fh:
            rows.append({"id": seed, "text": fh.read(), "mtime": "2022-09-20"})
    rc, docs, err = run(["--input-format", "jsonl", "-"], jsonl(rows))
    check("seeds jsonl: exit 0", rc == 0, err[-500:])
    by_id = {d["id"]: d for d in docs}
    for seed in sorted(EXPECTED):
        if check("seeds jsonl: %s processed" % seed, seed in by_id):
            check_seed("jsonl", seed, by_id[seed])
            counts = by_id[seed]["meta"].get("normalise", {})
            check("jsonl %s: meta.normalise counts" % seed,
                  isinstance(counts, dict) and "mojibake" in counts and "lines_joined" in counts)
    # seed 003: the "Published:" line and both image credits are removed and counted
    c = by_id.get("003_03caac5132b6a04d.txt", {}).get("meta", {}).get("normalise", {})
    check("seed 003: credits counted as boilerplate", c.get("boilerplate", 0) >= 2, repr(c))
    # seed 000 is hard-wrapped
    c = by_id.get("000_a1df9edd4e64cfe6.txt", {}).get("meta", {}).get("normalise", {})
    check("seed 000: lines joined", c.get("lines_joined", 0) > 50, repr(c))


def test_plugins_show():
    p = subprocess.run([DP, "plugins", "show", "normalise"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = p.stdout.decode("utf-8")
    for opt in ("mojibake", "nfc", "plain_spaces", "remove_invisible", "remove_controls",
                "ascii_punctuation", "whitespace", "unwrap", "join_hyphens", "page_furniture",
                "boilerplate", "boilerplate_patterns", "extra_patterns", "dedupe_lines", "metadata",
                "language", "report_removed"):
        check("plugins show: option %s" % opt, p.returncode == 0 and opt in out)


def test_jobs_identical():
    rows = []
    for k in range(40):
        seed = sorted(EXPECTED)[k % 5]
        with open(os.path.join(DATA, "seeds", seed), encoding="utf-8") as fh:
            rows.append({"id": k, "text": fh.read()})
    data = jsonl(rows)
    p1 = subprocess.run([DP, "run", "-c", CHAIN, "--quiet", "-j", "1", "--input-format", "jsonl", "-"],
                        input=data, stdout=subprocess.PIPE)
    p2 = subprocess.run([DP, "run", "-c", CHAIN, "--quiet", "-j", "2", "--input-format", "jsonl", "-"],
                        input=data, stdout=subprocess.PIPE)
    check("-j 1 and -j 2 give identical output", p1.stdout == p2.stdout and len(p1.stdout) > 0)


def test_bad_input():
    big = ("word " * 10_000_000)  # one 50 MB line
    rows = [{"id": "empty", "text": ""}, {"id": "blank", "text": " \t\n\n\u00a0\r\n\f "},
            {"id": "nul", "text": "a\u0000b"}, {"id": "big", "text": big},
            {"id": "tiny-lines", "text": "x\n" * 100000},
            {"id": "spaces", "text": "a\u00a0b\u1680c\u2000d\u2001e\u2002f\u2003g\u2004h\u2005i"
                                     "\u2006j\u2007k\u2008l\u2009m\u200an\u202fo\u205fp\u3000q"}]
    rc, docs, err = run(["--input-format", "jsonl", "-"], jsonl(rows))
    by_id = {d["id"]: d for d in docs}
    check("bad input: all processed", rc == 0 and len(docs) == len(rows), err[-500:])
    check("bad input: empty", by_id.get("empty", {}).get("text") == "")
    check("bad input: white space only", by_id.get("blank", {}).get("text") == "")
    check("bad input: NUL removed", by_id.get("nul", {}).get("text") == "ab")
    check("bad input: 50 MB line", by_id.get("big", {}).get("text") == big.strip())
    check("bad input: every Unicode space", by_id.get("spaces", {}).get("text") ==
          "a b c d e f g h i j k l m n o p q")
    check("bad input: tiny lines", len(by_id.get("tiny-lines", {}).get("text", "")) > 0)


try:
    test_seeds_folder()
    test_seeds_jsonl()
    test_plugins_show()
    test_jobs_identical()
    test_bad_input()
finally:
    shutil.rmtree(TMP, ignore_errors=True)

failed = failures()
print("%d checks, %d failed" % (len(results), len(failed)))
sys.exit(1 if failed else 0)
