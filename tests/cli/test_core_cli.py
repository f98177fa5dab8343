#!/usr/bin/env python3
"""End-to-end tests of the core through the docpipe binary: config errors
with their exact messages, exit codes, on_error modes (skip, fail,
quarantine), --stats accounting, -j determinism, the JSONL filter, --set,
plugin load errors (ABI, missing symbol, missing dependency), SIGTERM in
the middle of a run leaving no file that looks complete, and bundles in
other scripts' code pages.

Run by CTest with DOCPIPE set to the binary; everything it needs is
generated in a temporary folder."""
import base64
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

DP = os.path.abspath(os.environ.get("DOCPIPE") or sys.exit("DOCPIPE is not set"))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(ROOT, "samples")
failures = []


def check(name, ok, detail=""):
    print(("ok    " if ok else "FAIL  ") + name + ("" if ok else ": " + detail))
    if not ok:
        failures.append(name)


def run(args, data=None, cwd=None, env=None, timeout=120):
    p = subprocess.run([DP] + args, input=data, capture_output=True, cwd=cwd, env=env, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)
    return path


def export_to(path="-", **extra):
    o = {"format": "jsonl", "path": path}
    o.update(extra)
    return {"plugin": "export", "options": o}


def config(tmp, name, stages, **top):
    cfg = {"stages": stages}
    cfg.update(top)
    return write(os.path.join(tmp, name), json.dumps(cfg))


def jsonl(docs):
    return "".join(json.dumps(d) + "\n" for d in docs).encode()


def parse_lines(out):
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def test_config_errors(tmp):
    """Five wrong configs, each with its exact message and exit 2."""
    cases = [
        ("syntax.json", '{"stages": [\n  {"plugin": "export"\n  "name": "x"}]}',
         "docpipe: {path}: line 3, column 8: '}}' expected near '\"name\"'"),
        ("unknown-option.json", json.dumps({"stages": [export_to(sentences=3)]}),
         "docpipe: {path}: stages[0].options.sentences: unknown option (allowed: "),
        ("wrong-type.json", json.dumps({"stages": [{"plugin": "export", "options": {"format": 1}}]}),
         "docpipe: {path}: stages[0].options.format: expected string, found integer 1"),
        ("bad-choice.json", json.dumps({"stages": [export_to(offsets="lines")]}),
         "docpipe: {path}: stages[0].options.offsets: expected one of "),
        ("duplicate-stage.json", json.dumps({"stages": [export_to(), export_to()]}),
         "docpipe: {path}: stages[1]: stage name \"export\" is already used by stages[0] "
         "(give one of them a distinct \"name\")"),
        ("unknown-plugin.json", json.dumps({"stages": [{"plugin": "normalize"}, export_to()]}),
         "docpipe: {path}: stages[0].plugin: no plugin named \"normalize\" (looked for normalize.so in"),
        ("top-level.json", json.dumps({"stages": [export_to()], "on_eror": "skip"}),
         "docpipe: {path}: on_eror: unknown key (allowed: name, input, stages, on_error, quarantine, plugin_path)"),
        ("limits.json", json.dumps({"stages": [export_to()], "input": {"limits": {"max_ratio": "high"}}}),
         "docpipe: {path}: input.limits.max_ratio: expected a positive number, found string"),
    ]
    for name, text, expected in cases:
        path = write(os.path.join(tmp, "configs", name), text)
        for command in (["check", "-c", path], ["run", "-c", path, "--quiet", "-"]):
            rc, out, err = run(command, b"")
            want = expected.format(path=path)
            check("config error %s (%s): exit 2 and message" % (name, command[0]),
                  rc == 2 and err.startswith(want), "exit %d, stderr %r, want prefix %r" % (rc, err, want))


def test_set_and_filter(tmp):
    cfg = config(tmp, "file.json", [export_to("out/{bundle}.jsonl")])
    docs = [{"id": i, "text": "Document %d. It has text." % i, "extra": {"k": i}} for i in range(50)]
    rc, out, err = run(["run", "-c", cfg, "--quiet", "--input-format", "jsonl",
                        "--set", "export.path=-", "-"], jsonl(docs))
    got = parse_lines(out)
    check("--set export.path=- makes a filter: ids, order, metadata kept",
          rc == 0 and [d["id"] for d in got] == list(range(50)) and got[3]["meta"]["extra"] == {"k": 3},
          "exit %d %s" % (rc, err[-200:]))
    check("a JSONL text's source.bytes is its length in bytes (regression: was 0)",
          got and got[10]["source"]["bytes"] == len(docs[10]["text"].encode()), str(got[10]["source"] if got else None))
    rc, out, err = run(["run", "-c", cfg, "--quiet", "--set", "nosuch.path=-", "-"], b"")
    check("--set with an unknown stage: exit 2 naming it", rc == 2 and "nosuch" in err, err)
    rc, out, err = run(["run", "-c", cfg, "--quiet", "--set", "export.offsets=utf16", "--set",
                        "export.path=-", "--input-format", "jsonl", "-"],
                       jsonl([{"id": "e", "text": "\U0001F600 x"}]))
    got = parse_lines(out)
    check("--set values are JSON when they parse, else strings", rc == 0 and got and got[0]["offsets"] == "utf16",
          err)
    rc, out, err = run(["run", "-c", cfg, "-j", "0", "-"], b"")
    check("-j 0 is a usage error (exit 2)", rc == 2, "exit %d" % rc)
    rc, out, err = run(["run", "-c", cfg, "--no-such-flag", "-"], b"")
    check("an unknown flag is a usage error (exit 2)", rc == 2 and "--no-such-flag" in err, err)
    rc, out, err = run(["run", "-c", cfg])
    check("run without INPUT: exit 2", rc == 2 and "no INPUT" in err, err)
    rc, out, err = run(["check", "-c", cfg, "--stats", "s.json"])
    check("--stats outside run names the option (regression: was 'docpipe: : --stats ...')",
          rc == 2 and err.startswith("docpipe: --stats: applies to `run` only"), err[:120])
    for sub in ("run", "check", "plugins"):
        rc, out, err = run([sub, "--help"])
        check("docpipe %s --help shows an example" % sub, rc == 0 and "example" in out, out[:100])


def test_determinism_and_stats(tmp):
    bundle = os.path.join(tmp, "many.tar.gz")
    with tarfile.open(bundle, "w:gz") as tar:
        for i in range(300):
            body = ("Release %d.\n\n" % i + "Some text with caf\u00e9 and \u201cquotes\u201d. " * (i % 17 + 1)).encode()
            if i % 50 == 7:
                body = body.decode().encode("cp1252", "replace")
            info = tarfile.TarInfo("r/%04d.txt" % i)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    cfg = config(tmp, "plain.json", [export_to()])
    outs = []
    for jobs in ("1", "2", "7"):
        stats = os.path.join(tmp, "stats-%s.json" % jobs)
        rc, out, err = run(["run", "-c", cfg, "--quiet", "-j", jobs, "--stats", stats, bundle])
        outs.append(out)
        with open(stats) as fh:
            st = json.load(fh)
        check("-j %s: exit 0, stats count 300 processed" % jobs,
              rc == 0 and st["documents"] == {"entered": 300, "processed": 300, "failed": 0, "filtered": 0}
              and st["stages"][0]["documents"] == 300 and st["bytes"] > 0, json.dumps(st)[:300])
        stage = st["stages"][0]
        check("-j %s: the stage's cpu_seconds is positive and at most its wall seconds" % jobs,
              0 < stage["cpu_seconds"] <= stage["seconds"] + 0.01, json.dumps(stage))
    check("output byte-identical for -j 1, 2 and 7", outs[0] == outs[1] == outs[2] and len(outs[0]) > 1000)
    got = parse_lines(outs[0])
    check("windows-1252 entries detected as such", got[7]["source"]["encoding"] == "windows-1252"
          and got[8]["source"]["encoding"] == "utf-8", str(got[7]["source"]))
    rc, out, err = run(["run", "-c", cfg, bundle])
    check("the summary line ends a run without --quiet",
          rc == 0 and "300 documents: 300 processed, 0 failed, 0 filtered" in err, err[-300:])


def test_on_error(tmp):
    data = jsonl([{"id": "a", "text": "one"}]) + b'{"id": "broken",\n' + jsonl([{"id": "c", "text": "three"}])
    cfg = config(tmp, "skip.json", [export_to()])
    rc, out, err = run(["run", "-c", cfg, "--quiet", "--input-format", "jsonl", "-"], data)
    check("on_error skip: exit 1, others exported, one failure line on stderr even with --quiet",
          rc == 1 and [d["id"] for d in parse_lines(out)] == ["a", "c"]
          and len([l for l in err.splitlines() if l.startswith("docpipe: ")]) == 1 and ": input: " in err,
          "exit %d, stderr %r" % (rc, err))
    cfg = config(tmp, "fail.json", [export_to()], on_error="fail")
    rc, out, err = run(["run", "-c", cfg, "--quiet", "--input-format", "jsonl", "-"], data)
    check("on_error fail: exit 3 at the first failure", rc == 3 and "on_error: fail" in err, "exit %d %r" % (rc, err))
    qdir = os.path.join(tmp, "quarantine")
    cfg = config(tmp, "q.json", [export_to()], on_error="quarantine", quarantine=qdir)
    rc, out, err = run(["run", "-c", cfg, "--quiet", "--input-format", "jsonl", "-"], data)
    files = sorted(os.listdir(qdir)) if os.path.isdir(qdir) else []
    records = [json.load(open(os.path.join(qdir, f))) for f in files if f.endswith(".error.json")]
    check("on_error quarantine: exit 1, raw bytes and an error record written aside",
          rc == 1 and len(files) == 2 and records and records[0]["stage"] == "input"
          and "line 2" in records[0]["message"], "exit %d files %r" % (rc, files))
    raw = [f for f in files if not f.endswith(".error.json")]
    with open(os.path.join(qdir, raw[0]), "rb") as fh:
        check("quarantined bytes are the broken line", fh.read().startswith(b'{"id": "broken"'))


def build_plugin(tmp, name, source, extra=""):
    src = write(os.path.join(tmp, "plug", name + ".c"), source)
    so = os.path.join(tmp, "plug", name + ".so")
    inc = os.path.join(ROOT, "include")
    cflags = subprocess.run(["pkg-config", "--cflags", "jansson"], capture_output=True, text=True).stdout.split()
    subprocess.run(["cc", "-shared", "-fPIC", "-I" + inc] + cflags + [src, "-o", so] + extra.split(), check=True)
    return so


PLUGIN_TEMPLATE = r'''
#include <docpipe/docpipe.h>
static dp_status process(void *s, void *w, dp_doc_t *d) { (void)s; (void)w; (void)d; return DP_OK; }
DP_PLUGIN_DEFINE = { .abi = %s, .size = sizeof(dp_plugin_t), .name = "%s", .version = "0",
    .description = "test", .process = process };
'''


def test_plugin_load_errors(tmp):
    build_plugin(tmp, "future", PLUGIN_TEMPLATE % ("99", "future"))
    src = write(os.path.join(tmp, "plug", "nosym.c"), "int nothing_here = 1;\n")
    subprocess.run(["cc", "-shared", "-fPIC", src, "-o", os.path.join(tmp, "plug", "nosym.so")], check=True)
    # a plugin that needs a library that does not exist on this machine
    lib = write(os.path.join(tmp, "plug", "libgone.c"), "int gone(void) { return 1; }\n")
    libso = os.path.join(tmp, "plug", "libgone.so")
    subprocess.run(["cc", "-shared", "-fPIC", lib, "-o", libso], check=True)
    build_plugin(tmp, "needsdep", "int gone(void);\nint use_gone(void) { return gone(); }\n" +
                 PLUGIN_TEMPLATE % ("DP_ABI_VERSION", "needsdep"), "-L%s -lgone" % os.path.join(tmp, "plug"))
    os.unlink(libso)
    env = dict(os.environ, DOCPIPE_PLUGIN_PATH=os.path.join(tmp, "plug"))
    for name, want in (("future", "plugin ABI 99, host ABI 1"),
                       ("nosym", "no symbol docpipe_plugin"),
                       ("needsdep", "libgone.so")):
        cfg = config(tmp, name + ".json", [{"plugin": name}, export_to()])
        rc, out, err = run(["check", "-c", cfg], env=env)
        check("plugin load error (%s): exit 2, file and reason named" % name,
              rc == 2 and want in err and os.path.join(tmp, "plug", name + ".so") in err, "exit %d %r" % (rc, err))
    rc, out, err = run(["plugins"], env=env)
    check("`docpipe plugins` still lists the good plugins next to broken ones",
          rc == 0 and any(l.split()[0] == "export" for l in out.splitlines()) and "future" in err, out + err)
    rc, out, err = run(["plugins", "show", "export"])
    check("`plugins show export` prints types and defaults", rc == 0 and "string" in out and "default" in out, out)


def test_sigterm_leaves_nothing_complete(tmp):
    """A run stopped with SIGTERM half-way exits 3 and removes its temporary
    files: nothing in the output folder looks like a finished file. The
    input is a JSONL stream kept open, so the run is surely mid-way (and its
    reader is blocked reading standard input) when the signal comes."""
    work = os.path.join(tmp, "sigterm")
    os.makedirs(work)
    cfg = config(tmp, "sig.json", [export_to("out/{bundle}.jsonl")])
    p = subprocess.Popen([DP, "run", "-c", cfg, "--quiet", "-j", "2", "--input-format", "jsonl", "-"],
                         cwd=work, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_dir = os.path.join(work, "out")
    p.stdin.write(jsonl([{"id": i, "text": "Text %d." % i} for i in range(100)]))
    p.stdin.flush()
    deadline = time.time() + 30
    while time.time() < deadline and not (os.path.isdir(out_dir) and os.listdir(out_dir)):
        time.sleep(0.01)
    seen = os.listdir(out_dir) if os.path.isdir(out_dir) else []
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    left = os.listdir(out_dir) if os.path.isdir(out_dir) else []
    check("SIGTERM mid-run: exit 3, the temporary file removed, nothing that looks complete",
          p.returncode == 3 and any(".tmp-" in f for f in seen) and left == [],
          "exit %s, seen %r, left %r, %r" % (p.returncode, seen, left, err[-200:]))


# Press-release sentences written for this test, each saved in a code page
# of its script: (name, text, Python codec, expected source.encoding, language).
CODE_PAGE_CASES = [
    ("el.txt", "Η εταιρεία ανακοίνωσε σήμερα ότι τα έσοδα του τρίτου τριμήνου αυξήθηκαν κατά δώδεκα "
     "τοις εκατό, χάρη στις πωλήσεις στην Ελλάδα και στην Κύπρο.", "cp1253", "iso-8859-7", "el"),
    ("ru.txt", "Компания сообщила сегодня, что выручка за третий квартал выросла на двенадцать процентов "
     "благодаря продажам в Москве и Санкт-Петербурге.", "koi8-r", "koi8-r", "ru"),
    ("he.txt", "החברה הודיעה היום כי ההכנסות ברבעון השלישי עלו בשנים עשר אחוזים בזכות המכירות בתל אביב "
     "ובחיפה", "cp1255", "windows-1255", "he"),
    ("tr.txt", "Şirket bugün yaptığı açıklamada, üçüncü çeyrek gelirlerinin İstanbul ve Ankara'daki "
     "satışlar sayesinde yüzde on iki arttığını duyurdu.", "cp1254", "iso-8859-9", "tr"),
    ("zh.txt", "公司今天宣布，由於台北和高雄的銷售強勁，第三季度的收入增長了百分之十二。董事會對這一結果表示滿意，"
     "並將繼續投資新的產品。", "big5", "big5", "zh"),
    ("fr.txt", "La société a annoncé aujourd'hui que son chiffre d'affaires du troisième trimestre a "
     "progressé de 12 % grâce à la forte demande à Montréal et à Genève.", "cp1252", "windows-1252", "fr"),
]


def test_other_code_pages(tmp):
    """Bytes that are neither UTF-8 nor Western windows-1252 are decoded in
    the code page uchardet names; normalise then reads their language."""
    bundle = os.path.join(tmp, "pages.zip")
    with zipfile.ZipFile(bundle, "w") as z:
        for name, text, codec, _, _ in CODE_PAGE_CASES:
            z.writestr(name, text.encode(codec))
    cfg = config(tmp, "pages.json", [{"plugin": "normalise"}, export_to()])
    rc, out, err = run(["run", "-c", cfg, "--quiet", bundle])
    got = {d["source"]["entry"]: d for d in parse_lines(out)}
    check("code pages: exit 0, every entry exported", rc == 0 and len(got) == len(CODE_PAGE_CASES), err[-300:])
    for name, text, codec, label, lang in CODE_PAGE_CASES:
        d = got.get(name, {"source": {}, "meta": {}, "text": None})
        check("%s in %s: source.encoding %s, text decoded, language %s" % (name, codec, label, lang),
              d["source"].get("encoding") == label and d["text"] == text and d["meta"].get("language") == lang
              and d["source"].get("repaired_bytes", 0) == 0,
              "%s %s %r" % (d["source"], d["meta"].get("language"), (d["text"] or "")[:60]))


def test_samples_default_config():
    rc, out, err = run(["check"])
    check("`docpipe check` without -c validates configs/default.json", rc == 0, err)


def main():
    with tempfile.TemporaryDirectory(prefix="docpipe-core-cli-") as tmp:
        test_config_errors(tmp)
        test_set_and_filter(tmp)
        test_determinism_and_stats(tmp)
        test_on_error(tmp)
        test_plugin_load_errors(tmp)
        test_sigterm_leaves_nothing_complete(tmp)
        test_other_code_pages(tmp)
        test_samples_default_config()
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
