#!/usr/bin/env python3
"""The sample bundles end to end: every form of samples/ (tar.gz, zip, folder,
JSONL) through the export-only chain and through the default chain, with the
same documents from each form, the same bytes for -j 1 and -j 2, accounting
in --stats, and samples/ itself rebuilt byte for byte by scripts/make-samples.

Run by CTest with the binary in env DOCPIPE; by hand:
    DOCPIPE=build/docpipe python3 tests/cli/test_samples.py
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from clitest import SRC, check, results, failures, docpipe_binary

SAMPLES = os.path.join(SRC, "samples")
FOLDER = os.path.join(SAMPLES, "releases")


def run(args, cwd=None, data=None):
    p = subprocess.run([DP] + args, cwd=cwd, input=data, capture_output=True, timeout=300)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def parse_lines(raw):
    # "\n" only: str.splitlines would also split at U+2028 and U+0085
    # inside a text, which JSON may carry raw.
    return [json.loads(line) for line in raw.decode("utf-8").split("\n") if line.strip()]


def releases():
    """{file name: text} of the sample releases: what every form must give."""
    out = {}
    for name in sorted(os.listdir(FOLDER)):
        with open(os.path.join(FOLDER, name), "rb") as fh:
            out[name] = fh.read().decode("utf-8")
    return out


# The forms of samples/: (label, arguments for `docpipe run`, id prefix).
FORMS = [
    ("tar.gz", [os.path.join(SAMPLES, "releases.tar.gz")], "releases.tar.gz/"),
    ("zip", [os.path.join(SAMPLES, "releases.zip")], "releases.zip/"),
    ("folder", [FOLDER], "releases/"),
    ("jsonl", ["--input-format", "jsonl", os.path.join(SAMPLES, "releases.jsonl")], ""),
]


def test_reproducible():
    p = subprocess.run([sys.executable, os.path.join(SRC, "scripts", "make-samples"), "--check"],
                       capture_output=True, text=True, timeout=60)
    check("scripts/make-samples --check: samples/ is exactly what releases/ gives",
          p.returncode == 0, (p.stdout + p.stderr).strip())


def test_export_only(tmp, want):
    cfg = os.path.join(tmp, "export-only.json")
    with open(cfg, "w") as fh:
        json.dump({"stages": [{"plugin": "export", "options": {"format": "jsonl", "path": "-"}}]}, fh)
    for label, args, prefix in FORMS:
        outs = {}
        for jobs in ("1", "2"):
            stats = os.path.join(tmp, "stats-%s-%s.json" % (label, jobs))
            outs[jobs] = run(["run", "-c", cfg, "--quiet", "-j", jobs, "--stats", stats] + args)
        rc, out, err = outs["1"]
        try:
            docs = parse_lines(out)
        except ValueError as e:
            check("export-only, %s: the output is JSON Lines" % label, False, str(e))
            continue
        check("export-only, %s: exit 0, one line per release" % label,
              rc == 0 and len(docs) == len(want), "exit %d, %d lines: %s" % (rc, len(docs), err[-300:]))
        ids = [d.get("id") for d in docs]
        check("export-only, %s: ids %sNAME in name order" % (label, prefix or ""),
              ids == [prefix + n for n in want], "ids %r" % ids)
        got = {str(d.get("id"))[len(prefix):]: d.get("text") for d in docs}
        check("export-only, %s: every text equals the release byte for byte" % label, got == want,
              "differs: %r" % sorted(n for n in want if got.get(n) != want[n]))
        frame = all(d.get("format") == 1 and d.get("offsets") == "codepoints"
                    and isinstance(d.get("meta"), dict) and isinstance(d.get("source"), dict)
                    and d["source"].get("encoding") == "utf-8" for d in docs)
        check("export-only, %s: format 1, codepoints, meta {}, source.encoding utf-8" % label, docs and frame,
              json.dumps(docs[0])[:300] if docs else "no output")
        if prefix:
            src_ok = all(d["source"].get("bundle") == prefix.rstrip("/")
                         and d["source"].get("entry") == str(d["id"])[len(prefix):]
                         and d["source"].get("bytes") == len(want[d["source"]["entry"]].encode())
                         for d in docs if d["source"].get("entry") in want)
            check("export-only, %s: source names bundle, entry and bytes" % label, docs and src_ok,
                  json.dumps(docs[0].get("source")) if docs else "")
        check("export-only, %s: -j 1 and -j 2 write the same bytes" % label,
              outs["2"][0] == 0 and outs["2"][1] == out, "exit %d" % outs["2"][0])
        try:
            with open(os.path.join(tmp, "stats-%s-2.json" % label)) as fh:
                counts = json.load(fh)["documents"]
        except (OSError, ValueError, KeyError) as e:
            counts = {"error": repr(e)}
        n = len(want)
        check("export-only, %s: --stats counts %d entered, %d processed" % (label, n, n),
              (counts.get("entered"), counts.get("processed"), counts.get("failed"),
               counts.get("filtered")) == (n, n, 0, 0), json.dumps(counts))

    # Several bundles in one run: each keeps its own ids, in argument order.
    rc, out, err = run(["run", "-c", cfg, "--quiet"] + FORMS[0][1] + FORMS[1][1] + FORMS[2][1])
    ids = [d.get("id") for d in parse_lines(out)] if rc == 0 else []
    expect = [p + n for _, _, p in FORMS[:3] for n in want]
    check("export-only, tar.gz + zip + folder in one run: 15 documents in argument order",
          ids == expect, "exit %d, ids %r: %s" % (rc, ids[:6], err[-300:]))

    # Standard input: the same tar.gz read from `-` is the bundle "stdin".
    with open(FORMS[0][1][0], "rb") as fh:
        rc, out, err = run(["run", "-c", cfg, "--quiet", "-"], data=fh.read())
    docs = parse_lines(out) if rc == 0 else []
    check("export-only, tar.gz on standard input: ids stdin/NAME, same texts",
          [d.get("id") for d in docs] == ["stdin/" + n for n in want]
          and [d.get("text") for d in docs] == list(want.values()),
          "exit %d: %s" % (rc, err[-300:]))


def jsonl_files(folder):
    found = []
    for base, _, files in os.walk(folder):
        found += [os.path.relpath(os.path.join(base, f), folder) for f in files if f.endswith(".jsonl")]
    return sorted(found)


def test_default_chain(tmp, want):
    """The default chain (configs/default.json, found without -c) writes one
    JSON Lines file per bundle under out/ of the working directory (each run
    gets its own working directory, so no output can hide another)."""
    outputs = {}
    for jobs in ("1", "2"):
        for label, args, prefix in FORMS:
            work = os.path.join(tmp, "default-%s-j%s" % (label, jobs))
            os.makedirs(work)
            rc, out, err = run(["run", "--quiet", "-j", jobs] + args, cwd=work)
            made = jsonl_files(work)
            ok = rc == 0 and len(made) == 1 and made[0].startswith("out" + os.sep)
            check("default chain -j %s, %s: exit 0, one .jsonl file under out/" % (jobs, label), ok,
                  "exit %d, .jsonl files %r: %s" % (rc, made, err[-300:]))
            if not ok:
                continue
            with open(os.path.join(work, made[0]), "rb") as fh:
                outputs[(jobs, label)] = fh.read()
            docs = parse_lines(outputs[(jobs, label)])
            ids = [str(d.get("id"))[len(prefix):] for d in docs]
            check("default chain -j %s, %s: every release exported once, in order" % (jobs, label),
                  ids == list(want), "ids %r" % ids)
    texts = {}
    for label, _, _ in FORMS:
        a, b = outputs.get(("1", label)), outputs.get(("2", label))
        check("default chain, %s: -j 1 and -j 2 write the same bytes" % label,
              a is not None and a == b, "outputs missing or different")
        if a is not None:
            texts[label] = [d.get("text") for d in parse_lines(a)]
    for label, _, _ in FORMS[1:]:
        check("default chain: %s gives the same texts as tar.gz" % label,
              "tar.gz" in texts and texts.get(label) == texts["tar.gz"], "texts differ or missing")


def main():
    global DP
    DP = docpipe_binary("test_samples")
    want = releases()
    if len(want) != 5:
        return check("samples/releases holds the five releases", False, "found %d" % len(want))
    tmp = tempfile.mkdtemp(prefix="docpipe-samples-")
    try:
        test_reproducible()
        test_export_only(tmp, want)
        test_default_chain(tmp, want)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    failed = failures()
    print("%d of %d checks passed" % (len(results) - len(failed), len(results)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
