#!/usr/bin/env python3
"""The plugin walkthrough end to end, on an installed docpipe:

1. `cmake --install BUILD --prefix TMP` installs headers, libdocpipe,
   plugins, configs and docpipe.pc; the prefix is then moved, as a packaged
   or relocated installation would be.
2. The installed binary, with no DOCPIPE_* variable set, finds its plugins
   (`docpipe plugins`) and configs/default.json (`docpipe run` without -c).
3. examples/wordcount builds plugins/wordcount/wordcount.c out of the tree
   with `pkg-config --cflags --libs docpipe` (warnings as errors, strict C11:
   the public headers must compile on their own).
4. The installed binary loads that plugin from DOCPIPE_PLUGIN_PATH and the
   output carries meta.words and meta.characters, equal to counts made here.

Run by CTest with env DOCPIPE_BUILD_DIR; by hand:
    DOCPIPE_BUILD_DIR=build python3 tests/cli/test_plugin_out_of_tree.py
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

from clitest import SRC, check, results, failures

BUILD = os.path.abspath(os.environ.get("DOCPIPE_BUILD_DIR") or os.path.join(SRC, "build"))
SAMPLE = os.path.join(SRC, "samples", "releases.tar.gz")
FOLDER = os.path.join(SRC, "samples", "releases")

# Unicode White_Space (PropList.txt): what wordcount separates words by.
WHITE_SPACE = set(range(0x09, 0x0E)) | {0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F,
                                         0x3000} | set(range(0x2000, 0x200B))


def count_words(text):
    words, in_word = 0, False
    for ch in text:
        if ord(ch) in WHITE_SPACE:
            in_word = False
        elif not in_word:
            in_word, words = True, words + 1
    return words


def clean_env(**extra):
    """The caller's environment without any DOCPIPE_* variable, plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCPIPE")}
    env.update(extra)
    return env


def sh(args, env=None, cwd=None, data=None, timeout=300):
    p = subprocess.run(args, env=env or clean_env(), cwd=cwd, input=data, capture_output=True,
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def jsonl(out):
    """Documents of JSON Lines output. Split on "\n" only: str.splitlines
    would also split inside texts at U+2028, U+0085 and the like, which
    JSON may carry raw."""
    return [json.loads(line) for line in out.split("\n") if line.strip()]


def plugin_lines(out):
    """{name: line} from `docpipe plugins` (one plugin a line, name first)."""
    return {line.split()[0]: line for line in out.splitlines() if line.split()}


def main():
    tmp = tempfile.mkdtemp(prefix="docpipe-oot-")
    try:
        return run_all(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_all(tmp):
    # 1. Install, then move the prefix somewhere else.
    staged = os.path.join(tmp, "staged")
    rc, out, err = sh(["cmake", "--install", BUILD, "--prefix", staged])
    if not check("cmake --install into a temporary prefix", rc == 0, err[-500:]):
        return 1
    prefix = os.path.join(tmp, "moved", "prefix")
    os.makedirs(os.path.dirname(prefix))
    os.rename(staged, prefix)
    binary = os.path.join(prefix, "bin", "docpipe")
    pcs = glob.glob(os.path.join(prefix, "**", "pkgconfig", "docpipe.pc"), recursive=True)
    check("installed: bin/docpipe, include/docpipe/docpipe.h, docpipe.pc",
          os.access(binary, os.X_OK) and os.path.isfile(os.path.join(prefix, "include", "docpipe", "docpipe.h"))
          and len(pcs) == 1, "pc files %r" % pcs)
    if not pcs or not os.access(binary, os.X_OK):
        return 1
    plugin_dirs = glob.glob(os.path.join(prefix, "**", "plugins", "export.so"), recursive=True)
    check("installed: the export plugin", len(plugin_dirs) == 1, "found %r" % plugin_dirs)

    # 2. The installed binary on its own: plugins and the default config.
    work = os.path.join(tmp, "work")
    os.makedirs(work)
    rc, out, err = sh([binary, "plugins"], cwd=work)
    found = plugin_lines(out)
    check("installed docpipe, no DOCPIPE_* set: `docpipe plugins` lists export and wordcount",
          rc == 0 and "export" in found and "wordcount" in found, "exit %d: %s %s" % (rc, out, err[-300:]))
    check("installed docpipe loads plugins from its own prefix, not from the build tree",
          prefix in found.get("export", ""),
          found.get("export", "no export line"))
    rc, out, err = sh([binary, "run", "--quiet", SAMPLE], cwd=work)
    made = glob.glob(os.path.join(work, "out", "**", "*.jsonl"), recursive=True)
    n = 0
    if len(made) == 1:
        with open(made[0], encoding="utf-8") as fh:
            n = sum(1 for line in fh if line.strip())
    check("installed docpipe, no -c and no DOCPIPE_*: configs/default.json runs, out/ gets the 5 releases",
          rc == 0 and len(made) == 1 and n == 5, "exit %d, files %r, %d lines: %s" % (rc, made, n, err[-300:]))

    # 3. The out-of-tree build, with pkg-config. --define-variable=prefix
    # points the .pc at the moved prefix (pkg-config's way for relocated
    # installs); everything else comes from the installed docpipe.pc.
    myplugins = os.path.join(tmp, "myplugins")
    pcdir = os.path.dirname(pcs[0])
    env = clean_env(PKG_CONFIG_PATH=pcdir)
    pcflags = "--define-variable=prefix=" + prefix
    rc, cflags, err = sh(["pkg-config", pcflags, "--cflags", "docpipe"], env=env)
    check("pkg-config --cflags docpipe names the installed include folder",
          rc == 0 and os.path.join(prefix, "include") in cflags, "exit %d: %r %s" % (rc, cflags, err))
    rc, out, err = sh(["make", "-C", os.path.join(SRC, "examples", "wordcount"), "BUILD=" + myplugins,
                       "PKG_CONFIG_FLAGS=" + pcflags,
                       "CFLAGS=-O2 -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror"], env=env)
    so = os.path.join(myplugins, "wordcount.so")
    if not check("examples/wordcount builds with pkg-config against the installed headers",
                 rc == 0 and os.path.isfile(so), "exit %d: %s %s" % (rc, out[-800:], err[-800:])):
        return 1

    # 4. Load it from DOCPIPE_PLUGIN_PATH; the installed copy is removed so
    # that only the out-of-tree build can answer.
    for installed in glob.glob(os.path.join(prefix, "**", "plugins", "wordcount.so"), recursive=True):
        os.remove(installed)
    rc, out, err = sh([binary, "plugins"], cwd=work)
    check("without DOCPIPE_PLUGIN_PATH the removed wordcount is gone", rc == 0 and "wordcount" not in
          plugin_lines(out), out)
    env = clean_env(DOCPIPE_PLUGIN_PATH=myplugins)
    rc, out, err = sh([binary, "plugins"], env=env, cwd=work)
    line = plugin_lines(out).get("wordcount", "")
    check("DOCPIPE_PLUGIN_PATH: `docpipe plugins` lists the out-of-tree wordcount.so",
          rc == 0 and so in line, "exit %d: %r %s" % (rc, line, err[-300:]))
    rc, out, err = sh([binary, "plugins", "show", "wordcount"], env=env, cwd=work)
    check("`docpipe plugins show wordcount` prints its option field and the default",
          rc == 0 and "field" in out and "words" in out, "exit %d: %s %s" % (rc, out, err[-300:]))

    cfg = os.path.join(tmp, "chain.json")
    with open(cfg, "w") as fh:
        json.dump({"stages": [{"plugin": "wordcount"},
                              {"plugin": "export", "options": {"format": "jsonl", "path": "-"}}]}, fh)
    texts = {}
    for name in sorted(os.listdir(FOLDER)):
        with open(os.path.join(FOLDER, name), encoding="utf-8") as fh:
            texts[name] = fh.read()
    for extra, field in (([], "words"), (["--set", "wordcount.field=n_words"], "n_words")):
        outs = []
        for jobs in ("1", "2"):
            rc, out, err = sh([binary, "run", "-c", cfg, "--quiet", "-j", jobs] + extra + [SAMPLE],
                              env=env, cwd=work)
            outs.append(out)
        docs = jsonl(outs[0]) if rc == 0 else []
        got = {d["source"]["entry"]: (d["meta"].get(field), d["meta"].get("characters")) for d in docs}
        expect = {name: (count_words(t), len(t)) for name, t in texts.items()}
        check("out-of-tree wordcount: meta.%s and meta.characters of every release are right" % field,
              got == expect, "exit %d, got %r, expected %r: %s" % (rc, got, expect, err[-300:]))
        check("out-of-tree wordcount (PARALLEL): -j 1 and -j 2 give the same bytes (meta.%s)" % field,
              outs[0] == outs[1] and outs[0] != "", "outputs differ")

    # Edge cases through the JSONL filter: empty, only white space, Unicode
    # spaces (no-break, ideographic, line separator), NUL bytes, astral code
    # points, and a 1 MB text.
    cases = ["", " \t\n ", "one", "a\u00a0b", "\u3000x\u2028y\u2003z ", "nul\u0000inside word",
             "caf\u00e9 \U0001F600 \u4e2d\u6587", "word " * 200000]
    data = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(cases)).encode()
    rc, out, err = sh([binary, "run", "-c", cfg, "--quiet", "--input-format", "jsonl", "-"], env=env,
                      cwd=work, data=data)
    docs = jsonl(out) if rc == 0 else []
    got = [(d["meta"].get("words"), d["meta"].get("characters")) for d in docs]
    expect = [(count_words(t), len(t)) for t in cases]
    check("out-of-tree wordcount on edge cases (empty, Unicode spaces, NUL, astral, 1 MB)",
          got == expect, "exit %d, got %r, expected %r: %s" % (rc, got, expect, err[-300:]))

    # The config's plugin_path, relative to the config's folder, is the
    # other way to point docpipe at a plugin folder (no variable set).
    cfgdir = os.path.join(tmp, "configs")
    os.makedirs(cfgdir)
    rel = os.path.join(cfgdir, "chain.json")
    with open(rel, "w") as fh:
        json.dump({"plugin_path": "../myplugins",
                   "stages": [{"plugin": "wordcount"},
                              {"plugin": "export", "options": {"format": "jsonl", "path": "-"}}]}, fh)
    rc, out, err = sh([binary, "run", "-c", rel, "--quiet", SAMPLE], cwd=work)
    docs = jsonl(out) if rc == 0 else []
    check("plugin_path \"../myplugins\" in the config (resolved against its folder) loads wordcount",
          len(docs) == 5 and all(isinstance(d["meta"].get("words"), int) for d in docs),
          "exit %d, %d documents: %s" % (rc, len(docs), err[-300:]))

    bad = os.path.join(tmp, "bad.json")
    with open(bad, "w") as fh:
        json.dump({"stages": [{"plugin": "wordcount", "options": {"field": 3}},
                              {"plugin": "export", "options": {"format": "jsonl", "path": "-"}}]}, fh)
    rc, out, err = sh([binary, "check", "-c", bad], env=env, cwd=work)
    check("wordcount's options table is enforced: field 3 is a config error (exit 2, stages[0].options.field)",
          rc == 2 and "stages[0].options.field" in err, "exit %d: %s" % (rc, err.strip()[-300:]))

    failed = failures()
    print("%d of %d checks passed" % (len(results) - len(failed), len(results)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
