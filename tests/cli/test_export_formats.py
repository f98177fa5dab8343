#!/usr/bin/env python3
"""The export plugin's formats end to end, on samples/ through the default
stages (normalise, segment, tag, summarise) and on generated JSONL:

- jsonl: the exported document of DESIGN.md, offsets in every unit;
- json: per-document files and tar.gz / zip archives, the same documents
  as the JSON Lines export, read back with Python's json, tarfile, zipfile;
- csv: read back with Python's csv module, compared with the documents,
  formula injection neutralised;
- sqlite: opened with sqlite3, an FTS5 query, a second run appended with
  documents replaced rather than duplicated;
- brat: every T line's offsets cut its text out of the .txt;
- html: rendered by headless chromium; the DOM has the titles, the entity
  highlights and the SVG charts, and a document's <script> did not run; a
  screenshot is kept in the build folder (export-digest.png);
- byte-identical output for -j 1 and -j 2;
- SIGKILL in the middle of a run leaves no file that looks complete, and
  SIGTERM removes the temporaries; if_exists "fail".

Run by CTest with the binary in env DOCPIPE; by hand:
    DOCPIPE=build/docpipe python3 tests/cli/test_export_formats.py
"""
import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

from clitest import SRC, check, results, failures, docpipe_binary

SAMPLES = os.path.join(SRC, "samples")
STAGES = [{"plugin": "normalise"}, {"plugin": "segment"}, {"plugin": "tag"}, {"plugin": "summarise"}]


def run(args, cwd, data=None, timeout=300):
    p = subprocess.run([DP] + args, cwd=cwd, input=data, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def write_config(path, exports, stages=None):
    with open(path, "w") as fh:
        json.dump({"stages": (STAGES if stages is None else stages) + exports}, fh)
    return path


def export(name, **options):
    return {"plugin": "export", "name": name, "options": options}


def jsonl_docs(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def cut(text, span):
    return text[span["start"]:span["end"]]


def all_files(folder):
    out = []
    for root, _, files in os.walk(folder):
        out += [os.path.relpath(os.path.join(root, f), folder) for f in files]
    return sorted(out)


def tree_bytes(folder):
    out = {}
    for rel in all_files(folder):
        with open(os.path.join(folder, rel), "rb") as fh:
            out[rel] = fh.read()
    return out


# Every format at once, on the tar.gz and the zip of samples/.
EXPORTS = [
    export("jl", format="jsonl", path="out/{bundle}.jsonl"),
    export("jl16", format="jsonl", path="out/utf16.jsonl", offsets="utf16", layers=["sentence", "entity", "token"]),
    export("files", format="json", path="out/json/{bundle}"),
    export("tgz", format="json", path="out/all.tar.gz", archive="tar.gz"),
    export("zip", format="json", path="out/{bundle}.zip", archive="zip"),
    export("csv", format="csv", path="out/documents.csv"),
    export("ents", format="csv", path="out/entities.csv", rows="entities"),
    export("db", format="sqlite", path="out/docs.sqlite"),
    export("brat", format="brat", path="out/brat"),
    export("html", format="html", path="out/digest.html"),
]


def check_formats(work):
    bundles = [os.path.join(SAMPLES, "releases.tar.gz"), os.path.join(SAMPLES, "releases.zip")]
    cfg = write_config(os.path.join(work, "all.json"), EXPORTS)
    rc, _, err = run(["run", "-c", cfg, "--quiet", "-j", "2"] + bundles, work)
    if not check("every format in one chain: exit 0", rc == 0, err[-400:]):
        return
    out = os.path.join(work, "out")
    check("no temporary left after the run", not [f for f in all_files(out) if ".tmp-" in f], all_files(out))
    docs = jsonl_docs(os.path.join(out, "releases.tar.gz.jsonl")) + jsonl_docs(os.path.join(out, "releases.zip.jsonl"))
    by_id = {d["id"]: d for d in docs}
    check("jsonl: one file per bundle, 10 documents", len(docs) == 10, len(docs))
    frame = all(list(d)[:7] == ["format", "offsets", "id", "source", "meta", "text", "annotations"] for d in docs)
    check("jsonl: keys in DESIGN.md's order", frame, list(docs[0]) if docs else None)
    ents = [(d, e) for d in docs for e in d["annotations"].get("entity", [])]
    check("jsonl: code point offsets cut every entity out of the text",
          ents and all(cut(d["text"], e) for d, e in ents)
          and all(e.get("attrs", {}).get("canonical") is not None or True for d, e in ents), len(ents))
    check("jsonl: results (summary, keywords) at the top level",
          all("summary" in d and "keywords" in d for d in docs), [list(d) for d in docs[:1]])
    u16 = jsonl_docs(os.path.join(out, "utf16.jsonl"))
    ok16 = True
    for d in u16:
        units = d["text"].encode("utf-16-le")
        ref = by_id[d["id"]]
        for e16, e in zip(d["annotations"]["entity"], ref["annotations"]["entity"]):
            ok16 = ok16 and units[2 * e16["start"]:2 * e16["end"]].decode("utf-16-le") == cut(ref["text"], e)
    check('jsonl offsets "utf16": every entity cut out by UTF-16 units, "token" written on request',
          ok16 and u16 and u16[0]["offsets"] == "utf16" and "token" in u16[0]["annotations"]
          and "paragraph" not in u16[0]["annotations"], u16[0]["offsets"] if u16 else None)

    # json: files per document, and archives.
    same = True
    for d in docs:
        bundle, _, entry = d["id"].partition("/")
        with open(os.path.join(out, "json", bundle, bundle, entry + ".json"), encoding="utf-8") as fh:
            same = same and json.load(fh) == d
    check("json: one file per document under the folder, equal to the JSON Lines export", same)
    with tarfile.open(os.path.join(out, "all.tar.gz")) as tar:
        members = tar.getmembers()
        tdocs = [json.load(tar.extractfile(m)) for m in members]
    check("json archive tar.gz: every document, equal to the JSON Lines export",
          len(tdocs) == 10 and all(by_id[t["id"]] == t for t in tdocs), len(tdocs))
    with zipfile.ZipFile(os.path.join(out, "releases.zip.zip")) as z:
        zdocs = [json.loads(z.read(n)) for n in z.namelist()]
    check("json archive zip per bundle: the bundle's documents", len(zdocs) == 5
          and all(by_id[t["id"]] == t for t in zdocs), len(zdocs))

    # csv
    with open(os.path.join(out, "documents.csv"), newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    ok = len(rows) == 10
    for r in rows:
        d = by_id.get(r["id"])
        n_ent = len(d["annotations"].get("entity", [])) if d else -1
        ok = ok and d is not None and r["title"] == d["meta"].get("title", "") \
            and r["summary"] == d.get("summary", {}).get("text", "") and int(r["entities"]) == n_ent \
            and int(r["PERSON"]) == sum(1 for e in d["annotations"]["entity"] if e.get("label") == "PERSON") \
            and r["keywords"] == "; ".join(k["text"] for k in d.get("keywords", []))
    check("csv documents: one row per document, title, summary, keywords and counts as exported", ok,
          rows[0] if rows else "no rows")
    with open(os.path.join(out, "entities.csv"), newline="", encoding="utf-8") as fh:
        erows = list(csv.DictReader(fh))
    ok = len(erows) == len(ents)
    for r, (d, e) in zip(erows, ents):
        ok = ok and r["id"] == d["id"] and int(r["start"]) == e["start"] and int(r["end"]) == e["end"] \
            and r["label"] == e["label"] and r["text"].lstrip("'") == cut(d["text"], e).lstrip("'")
    check("csv entities: one row per entity, offsets and text as exported", ok, len(erows))

    # sqlite
    db = sqlite3.connect(os.path.join(out, "docs.sqlite"))
    n_docs = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    n_ent = db.execute("SELECT count(*) FROM entities").fetchone()[0]
    hits = db.execute("SELECT d.id FROM documents_fts f JOIN documents d ON d.doc = f.rowid"
                      " WHERE documents_fts MATCH 'pandemic'").fetchall()
    want = sorted(d["id"] for d in docs if "pandemic" in d["text"].lower())
    check("sqlite: documents and entities, FTS5 finds every document with 'pandemic'",
          n_docs == 10 and n_ent == len(ents) and sorted(h[0] for h in hits) == want,
          (n_docs, n_ent, len(hits), len(want)))
    text_ok = db.execute("SELECT count(*) FROM entities e JOIN documents d USING (doc)"
                         " WHERE substr(d.text, e.start + 1, e.end - e.start) = e.text").fetchone()[0]
    run_row = db.execute("SELECT config_hash, finished, documents_processed, plugins FROM runs").fetchall()
    check("sqlite: entity offsets cut the text; the runs row has the config hash, end time, counts, plugins",
          text_ok == len(ents) and len(run_row) == 1 and run_row[0][0] and run_row[0][1]
          and run_row[0][2] == 10 and "export" in run_row[0][3], run_row)
    db.close()
    rc, _, err = run(["run", "-c", cfg, "--quiet", os.path.join(SAMPLES, "releases.zip")], work)
    db = sqlite3.connect(os.path.join(out, "docs.sqlite"))
    counts = (db.execute("SELECT count(*) FROM documents").fetchone()[0],
              db.execute("SELECT count(*) FROM runs").fetchone()[0],
              db.execute("SELECT count(*) FROM entities").fetchone()[0])
    db.close()
    check("sqlite: a second run appends a run, re-run documents replace their rows",
          rc == 0 and counts == (10, 2, len(ents)), (rc, counts, err[-200:]))

    # brat
    ok, pairs = True, 0
    for d in docs:
        bundle, _, entry = d["id"].partition("/")
        stem = os.path.join(out, "brat", bundle, entry[:-4] if entry.endswith(".txt") else entry)
        with open(stem + ".txt", encoding="utf-8", newline="") as fh:
            text = fh.read()
        with open(stem + ".ann", encoding="utf-8") as fh:
            ann = fh.read().splitlines()
        pairs += 1
        ok = ok and text == d["text"]
        tl = [l for l in ann if l.startswith("T")]
        for line in tl:
            _, type_offsets, frag_text = line.split("\t")
            frags = type_offsets.split(" ", 1)[1].split(";")
            got = " ".join(text[int(a):int(b)] for a, b in (f.split() for f in frags))
            ok = ok and got == frag_text
        ok = ok and len(tl) == len(d["annotations"].get("entity", []))
    check("brat: a .txt + .ann pair per document; every T line's offsets cut its text", ok and pairs == 10, pairs)
    check("brat: annotation.conf lists the entity types",
          os.path.exists(os.path.join(out, "brat", "annotation.conf")))


def check_html(work):
    """The digest in a real browser."""
    hostile = [
        {"id": "evil", "text": "Evil <script>document.title='PWNED';document.body.insertAdjacentHTML("
                               "'beforeend','<p id=\"pwned\">x</p>')</script> and <img src=x onerror=alert(1)>"
                               " in Paris with Angela Merkel.", "title": "Hostile"},
        {"id": 2, "text": "Second document about the pandemic in Berlin, 26 June 2020."},
    ]
    data = "".join(json.dumps(d) + "\n" for d in hostile).encode()
    cfg = write_config(os.path.join(work, "html.json"), [export("html", format="html", path="out/digest.html")])
    rc, _, err = run(["run", "-c", cfg, "--quiet", os.path.join(SAMPLES, "releases.tar.gz")], work)
    rc2, _, err2 = run(["run", "-c", cfg, "--quiet", "--set", "html.path=out/hostile.html",
                        "--input-format", "jsonl", "-"], work, data)
    if not check("html: the digest of samples/ and of hostile input written", rc == 0 and rc2 == 0, err + err2):
        return
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not check("chromium is installed (scripts install it)", chromium is not None, "apt-get install -y chromium"):
        return
    profile = tempfile.mkdtemp(prefix="dp-chromium-")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile]

    def dom(page):
        p = subprocess.run([chromium] + flags + ["--dump-dom", "file://" + page],
                           capture_output=True, timeout=120)
        return p.stdout.decode("utf-8", "replace")

    page = os.path.join(work, "out", "digest.html")
    html = dom(page)
    docs = jsonl_docs_from(work, os.path.join(SAMPLES, "releases.tar.gz"))
    titles = [d["meta"]["title"] for d in docs if d["meta"].get("title")]
    import html as htmlmod
    check("html DOM: every document title is on the page",
          titles and all(htmlmod.escape(t, quote=False) in html for t in titles), titles[:2])
    check("html DOM: entity highlights and SVG charts rendered",
          html.count("<mark class=\"e l-PERSON\"") > 3 and html.count("<svg") >= 2 and "<rect" in html,
          (html.count("<mark"), html.count("<svg")))
    evil = dom(os.path.join(work, "out", "hostile.html"))
    check("html DOM: a document's <script> shows as text and did not run",
          "&lt;script&gt;document.title" in evil and '<p id="pwned">' not in evil and "<title>PWNED" not in evil
          and "<img" not in evil, evil[:300])
    shot_dir = os.environ.get("DOCPIPE_BUILD_DIR") or work
    shot = os.path.join(shot_dir, "export-digest.png")
    p = subprocess.run([chromium] + flags + ["--window-size=1200,2400", "--screenshot=" + shot, "file://" + page],
                       capture_output=True, timeout=120)
    check("html: a screenshot is taken (%s)" % shot, p.returncode == 0 and os.path.getsize(shot) > 10000,
          p.stderr[-300:])
    phone = os.path.join(shot_dir, "export-digest-phone.png")
    subprocess.run([chromium] + flags + ["--window-size=400,1600", "--screenshot=" + phone, "file://" + page],
                   capture_output=True, timeout=120)
    shutil.rmtree(profile, ignore_errors=True)


def jsonl_docs_from(work, bundle):
    cfg = write_config(os.path.join(work, "stdout.json"), [export("export", format="jsonl", path="-")])
    rc, out, _ = run(["run", "-c", cfg, "--quiet", bundle], work)
    return [json.loads(l) for l in out.decode("utf-8").splitlines() if l.strip()]


def check_determinism(work):
    """-j 1 and -j 2 give the same bytes for jsonl, json, csv and brat. The
    chain stops before tag: this checks the writers, and the stages have
    their own determinism tests."""
    exports = [e for e in EXPORTS if e["name"] in ("jl", "files", "tgz", "zip", "csv", "ents", "brat")]
    trees = []
    for jobs in ("1", "2"):
        folder = os.path.join(work, "j" + jobs)
        os.makedirs(folder)
        cfg = write_config(os.path.join(folder, "c.json"), exports, stages=STAGES[:2])
        rc, _, err = run(["run", "-c", cfg, "--quiet", "-j", jobs, os.path.join(SAMPLES, "releases.tar.gz"),
                          os.path.join(SAMPLES, "releases")], folder)
        trees.append((rc, tree_bytes(os.path.join(folder, "out"))))
    (rc1, t1), (rc2, t2) = trees
    diff = sorted(k for k in set(t1) | set(t2) if t1.get(k) != t2.get(k))
    check("-j 1 and -j 2: jsonl, json files, tar.gz, zip, csv and brat byte-identical",
          rc1 == 0 and rc2 == 0 and t1 and not diff, diff[:5])


def feed(proc, start, n):
    for i in range(start, start + n):
        proc.stdin.write((json.dumps({"id": i, "text": "Document %d about the pandemic. " % i * 20}) + "\n").encode())
    proc.stdin.flush()


def check_kill(work):
    """SIGKILL with documents half-way: nothing that looks complete."""
    folder = os.path.join(work, "kill")
    os.makedirs(folder)
    exports = [export("jl", format="jsonl", path="out/run.jsonl"),
               export("bundle", format="jsonl", path="out/{bundle}.jsonl"),
               export("csv", format="csv", path="out/run.csv"),
               export("tgz", format="json", path="out/run.tar.gz", archive="tar.gz"),
               export("db", format="sqlite", path="out/run.sqlite"),
               export("html", format="html", path="out/digest.html")]
    cfg = write_config(os.path.join(folder, "c.json"), exports, stages=[])
    for sig in (signal.SIGKILL, signal.SIGTERM):
        out = os.path.join(folder, "out")
        shutil.rmtree(out, ignore_errors=True)
        proc = subprocess.Popen([DP, "run", "-c", cfg, "--quiet", "--input-format", "jsonl", "-"], cwd=folder,
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        feed(proc, 0, 300)
        # Wait until the exports hold documents (their temporaries exist).
        deadline = time.time() + 30
        while time.time() < deadline and len([f for f in all_files(out) if ".tmp-" in f]) < 4:
            time.sleep(0.05)
        time.sleep(0.3)
        # Standard input stays open: the bundle has not ended when the signal comes.
        proc.send_signal(sig)
        proc.wait(timeout=60)
        proc.stdin.close()
        proc.stderr.close()
        left = all_files(out) if os.path.isdir(out) else []
        complete = [f for f in left if ".tmp-" not in f]
        if sig == signal.SIGKILL:
            check("SIGKILL mid-run: no output file under its final name (only temporaries: %d)" % len(left),
                  not complete and left, left)
        else:
            check("SIGTERM mid-run: exit 3, no output and no temporary left", proc.returncode == 3 and not left,
                  (proc.returncode, left))


def check_if_exists(work):
    folder = os.path.join(work, "exists")
    os.makedirs(os.path.join(folder, "out"))
    with open(os.path.join(folder, "out", "run.jsonl"), "w") as fh:
        fh.write("old\n")
    with open(os.path.join(folder, "out", "stdin.jsonl"), "w") as fh:
        fh.write("old\n")
    data = b'{"id": 1, "text": "One."}\n{"id": 2, "text": "Two."}\n'
    cfg = write_config(os.path.join(folder, "fixed.json"),
                       [export("export", format="jsonl", path="out/run.jsonl", if_exists="fail")], stages=[])
    rc, _, err = run(["run", "-c", cfg, "--quiet", "--input-format", "jsonl", "-"], folder, data)
    check('if_exists "fail", fixed path: exit 2 before the run, the file untouched, the message names it',
          rc == 2 and "run.jsonl" in err and open(os.path.join(folder, "out", "run.jsonl")).read() == "old\n",
          (rc, err[-300:]))
    cfg = write_config(os.path.join(folder, "bundle.json"),
                       [export("export", format="jsonl", path="out/{bundle}.jsonl", if_exists="fail")], stages=[])
    rc, _, err = run(["run", "-c", cfg, "--quiet", "--input-format", "jsonl", "-"], folder, data)
    check('if_exists "fail", {bundle} path: exit 1, each document failed at stage export, the file untouched',
          rc == 1 and err.count("export") >= 2 and open(os.path.join(folder, "out", "stdin.jsonl")).read() == "old\n",
          (rc, err[-300:]))
    cfg = write_config(os.path.join(folder, "replace.json"),
                       [export("export", format="jsonl", path="out/run.jsonl")], stages=[])
    rc, _, err = run(["run", "-c", cfg, "--quiet", "--input-format", "jsonl", "-"], folder, data)
    check("default: an existing output is replaced",
          rc == 0 and len(jsonl_docs(os.path.join(folder, "out", "run.jsonl"))) == 2, (rc, err[-300:]))
    cfg = write_config(os.path.join(folder, "badpath.json"),
                       [export("export", format="jsonl", path="out/run.jsonl/{bundle}.jsonl")], stages=[])
    rc, _, err = run(["run", "-c", cfg, "--quiet", "--input-format", "jsonl", "-"], folder, data)
    check("an output folder that cannot be made: the message names the path and the reason",
          rc != 0 and "out/run.jsonl" in err and "Not a directory" in err, (rc, err[-300:]))


def check_hostile_ids(work):
    """Ids that try to lead out of the output folder, control characters,
    non-ASCII: every file stays under out/, archives keep UTF-8 names."""
    folder = os.path.join(work, "hostile")
    os.makedirs(folder)
    ids = ["../../escape", "/abs/x", "a\u0001b", 7, "x/../../y", "..", "\u00e9t\u00e9/\U0001F600"]
    data = "".join(json.dumps({"id": i, "text": "Text %d" % n}) + "\n" for n, i in enumerate(ids)).encode()
    exports = [export("one", format="jsonl", path="out/jsonl/{id}.jsonl"),
               export("files", format="json", path="out/json"),
               export("tgz", format="json", path="out/all.tar.gz", archive="tar.gz"),
               export("zip", format="json", path="out/all.zip", archive="zip"),
               export("brat", format="brat", path="out/brat")]
    cfg = write_config(os.path.join(folder, "c.json"), exports, stages=[])
    rc, _, err = run(["run", "-c", cfg, "--quiet", "--input-format", "jsonl", "-"], folder, data)
    outside = [f for f in all_files(folder) if not f.startswith("out" + os.sep) and f != "c.json"]
    escaped = os.path.exists(os.path.join(work, "escape.json")) or os.path.exists(os.path.join(folder, "escape"))
    check("hostile ids: exit 0, every file under out/, none outside the work folder",
          rc == 0 and not outside and not escaped, (rc, outside, err[-300:]))
    with zipfile.ZipFile(os.path.join(folder, "out", "all.zip")) as z:
        names = z.namelist()
    with tarfile.open(os.path.join(folder, "out", "all.tar.gz")) as tar:
        tnames = tar.getnames()
    want = "\u00e9t\u00e9/\U0001F600.json"
    check("hostile ids: archive names sanitised and kept in UTF-8 (zip and tar.gz)",
          want in names and want in tnames and not any(n.startswith(("/", "..")) or "/../" in n for n in names),
          (names, tnames))


def main():
    global DP
    DP = docpipe_binary("test_export_formats")
    work = tempfile.mkdtemp(prefix="dp-export-formats-")
    try:
        check_formats(work)
        check_html(work)
        check_determinism(work)
        check_kill(work)
        check_if_exists(work)
        check_hostile_ids(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failed = failures()
    print("%d of %d export checks hold" % (len(results) - len(failed), len(results)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
