#!/usr/bin/env python3
"""Idempotence of the normalise stage end to end: running `normalise` (default
options) on its own output changes nothing. Inputs: every sample release of
samples/ (folder, tar.gz, zip and JSONL), the seeds of tests/data/normalise,
and variants of them made here with the degradations the stage undoes (hard
wraps with line-end hyphens, justified double spaces, no-break spaces, CRLF,
page breaks with headers and footers, windows-1252 mojibake, tabs, leading
spaces). The benchmark inputs are checked the same way by bench/normalise.

Run by CTest with the binary in env DOCPIPE; by hand:
    DOCPIPE=build/docpipe python3 tests/cli/test_normalise_idempotence.py
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap

from clitest import SRC, check, results, failures

DATA = os.path.join(SRC, "tests", "data", "normalise")
SAMPLES = os.path.join(SRC, "samples")


DP = os.path.abspath(os.environ.get("DOCPIPE") or os.path.join(SRC, "build", "docpipe"))
if not os.access(DP, os.X_OK):
    sys.exit("test_normalise_idempotence: no docpipe binary at %s (set DOCPIPE)" % DP)
TMP = tempfile.mkdtemp(prefix="docpipe-nz-idem-")
CHAIN = os.path.join(TMP, "chain.json")
with open(CHAIN, "w", encoding="utf-8") as fh:
    json.dump({"stages": [{"plugin": "normalise"},
                          {"plugin": "export", "options": {"format": "jsonl", "path": "-"}}]}, fh)


def run(args, data=None):
    p = subprocess.run([DP, "run", "-c", CHAIN, "--quiet"] + args, input=data,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    return [json.loads(l) for l in p.stdout.decode("utf-8").splitlines() if l.strip()]


def again(docs):
    """The texts of docs run through normalise a second time, by id."""
    rows = [{"id": str(d["id"]), "text": d["text"]} for d in docs]
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    return {d["id"]: d["text"] for d in run(["--input-format", "jsonl", "-"], data)}


def check_idempotent(label, docs):
    if not check("%s: documents processed" % label, len(docs) > 0):
        return
    second = again(docs)
    bad = [str(d["id"]) for d in docs if second.get(str(d["id"])) != d["text"]]
    check("%s: second run changes nothing (%d documents)" % (label, len(docs)), not bad,
          "changed: " + ", ".join(bad[:5]))


def mojibake(s):
    b = s.encode("utf-8")
    return "".join(chr(x) if x in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([x]).decode("cp1252")
                   for x in b)


def degrade(text, rng):
    width = rng.randint(55, 90)
    out = []
    paras = [p for p in text.split("\n\n") if p.strip()]
    for n, p in enumerate(paras):
        if rng.random() < 0.15:
            p = mojibake(p)
        for k, line in enumerate(textwrap.wrap(p, width, break_on_hyphens=True)):
            if rng.random() < 0.2:
                line = line.replace(" ", "  ", 2)
            if rng.random() < 0.1:
                line = "\t" + line if rng.random() < 0.5 else " " + line
            out.append(line + (" \u00a0" if rng.random() < 0.2 else ""))
        out.append("")
        if n % 6 == 5:
            out += ["Page %d of 9" % (n // 6 + 1), "\f" + paras[0].upper(), ""]
    return ("\r\n" if rng.random() < 0.3 else "\n").join(out)


try:
    check_idempotent("samples folder", run([os.path.join(SAMPLES, "releases")]))
    for name in ("releases.tar.gz", "releases.zip"):
        check_idempotent("samples " + name, run([os.path.join(SAMPLES, name)]))
    with open(os.path.join(SAMPLES, "releases.jsonl"), "rb") as fh:
        check_idempotent("samples releases.jsonl", run(["--input-format", "jsonl", "-"], fh.read()))
    check_idempotent("seeds", run([os.path.join(DATA, "seeds")]))
    rng = random.Random(5)
    rows = []
    for name in sorted(os.listdir(os.path.join(DATA, "clean"))):
        with open(os.path.join(DATA, "clean", name), encoding="utf-8") as fh:
            clean = fh.read()
        for v in range(8):
            rows.append({"id": "%s#%d" % (name, v), "text": degrade(clean, rng)})
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    check_idempotent("degraded variants", run(["--input-format", "jsonl", "-"], data))
finally:
    shutil.rmtree(TMP, ignore_errors=True)

failed = failures()
print("%d checks, %d failed" % (len(results), len(failed)))
sys.exit(1 if failed else 0)
