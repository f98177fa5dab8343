#!/usr/bin/env python3
"""End-to-end tests of docpipe's input safety (DESIGN.md "Input safety").

Every broken or hostile bundle is generated here with the standard library
(tarfile, zipfile, gzip): truncated tar.gz, a zip with one corrupt entry,
'../' and absolute names, symlink and hard-link entries, a high-ratio entry,
compression bombs, deep nesting, CP437 zip names, directory entries, 100,000
tiny entries, folders with symlinks, malformed JSON Lines. Each run exports
JSON Lines to standard output and writes --stats; the checks: the exit code,
the documents that must still be exported, the failed ones (stage "input"
and a reason), entered = processed + failed + filtered, nothing written
outside the run's folder, and the time and peak memory bounds of the issue.

Environment: DOCPIPE is the binary under test."""
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

DOCPIPE = os.environ.get("DOCPIPE")
CONFIG = {"stages": [{"plugin": "export", "options": {"format": "jsonl", "path": "-"}}]}
FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, flush=True)


def snapshot(root):
    """Every path under root, to prove nothing was written elsewhere."""
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            out.add(os.path.relpath(os.path.join(dirpath, n), root))
    return out


class Result:
    pass


def vm_hwm_kb(pid):
    """The peak RSS of the running process's own image (VmHWM). Unlike
    ru_maxrss it does not include what the forked Python held before exec;
    it is polled until the process ends."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(work, inputs, stdin_bytes=None, extra=(), config=None, timeout=300):
    """Runs docpipe in folder work; returns exit code, exported documents,
    stats, stderr, seconds and peak RSS (MB) of that run alone."""
    cfg = os.path.join(work, "config.json")
    with open(cfg, "w") as f:
        json.dump(config or CONFIG, f)
    stats = os.path.join(work, "stats.json")
    if os.path.exists(stats):
        os.unlink(stats)
    out_path = os.path.join(work, "stdout.jsonl")
    err_path = os.path.join(work, "stderr.txt")
    args = [DOCPIPE, "run", "-c", cfg, "--quiet", "--stats", stats, *extra, *inputs]
    stdin = subprocess.PIPE if stdin_bytes is not None else subprocess.DEVNULL
    # Under AddressSanitizer freed memory waits in a 256 MB quarantine,
    # which would hide what the memory bounds are about; keep it small.
    # Options set by the caller come later and win.
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "quarantine_size_mb=8:" + env.get("ASAN_OPTIONS", "")
    t0 = time.monotonic()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        p = subprocess.Popen(args, cwd=work, stdin=stdin, stdout=out, stderr=err, env=env)
        if stdin_bytes is not None:
            try:
                p.stdin.write(stdin_bytes)
            except BrokenPipeError:
                pass
            p.stdin.close()
        deadline = t0 + timeout
        hwm_kb = 0
        while True:
            hwm_kb = max(hwm_kb, vm_hwm_kb(p.pid))
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                p.kill()
                pid, status, usage = os.wait4(p.pid, 0)
                break
            time.sleep(0.02)
    r = Result()
    r.seconds = time.monotonic() - t0
    r.rc = os.waitstatus_to_exitcode(status)
    r.rss_mb = hwm_kb / 1024.0
    with open(out_path, "rb") as f:
        r.docs = [json.loads(line) for line in f.read().decode("utf-8").splitlines() if line]
    with open(err_path, "rb") as f:
        r.stderr = f.read().decode("utf-8", "replace")
    check("Sanitizer" not in r.stderr and "runtime error" not in r.stderr,
          f"{' '.join(inputs)}: no sanitizer report: {r.stderr[-2000:]}")
    r.stats = None
    if os.path.exists(stats):
        with open(stats) as f:
            r.stats = json.load(f)
    r.ids = [d["id"] for d in r.docs]
    r.failures = {f["id"]: f for f in (r.stats or {}).get("failures", [])}
    return r


def check_counts(name, r, entered=None, processed=None, failed=None, filtered=None):
    check(r.stats is not None, f"{name}: --stats written")
    if r.stats is None:
        return
    d = r.stats["documents"]
    check(d["entered"] == d["processed"] + d["failed"] + d["filtered"],
          f"{name}: entered = processed + failed + filtered ({d})")
    for key, want in (("entered", entered), ("processed", processed), ("failed", failed),
                      ("filtered", filtered)):
        if want is not None:
            check(d[key] == want, f"{name}: {key} == {want} (got {d[key]})")
    check(d["processed"] == len(r.docs), f"{name}: one exported line per processed document")
    check(len(r.failures) == d["failed"] or d["failed"] > len(r.failures),
          f"{name}: failures listed")
    for f in r.failures.values():
        check(f["stage"] == "input" and f["message"], f"{name}: failure has stage input and a message ({f})")


def failed_with(r, id_, words):
    f = r.failures.get(id_)
    return f is not None and all(w in f["message"] for w in words)


# ---- bundle makers ----------------------------------------------------------

def add_file(tar, name, data, mtime=1600000000):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = mtime
    tar.addfile(info, io.BytesIO(data))


def make_tar(path, entries, mode="w:gz"):
    """entries: (name, bytes) for files, or a ready TarInfo with data None."""
    with tarfile.open(path, mode, format=tarfile.GNU_FORMAT) as tar:
        for item in entries:
            if isinstance(item, tarfile.TarInfo):
                tar.addfile(item)
            else:
                add_file(tar, *item)


def text(i):
    return f"Release {i}: the company reported results.\n".encode()


# ---- the cases -----------------------------------------------------------------

def ar_archive(members):
    """A System V ar archive (what 'ar' writes), built by hand."""
    out = [b"!<arch>\n"]
    for name, data in members:
        header = f"{name + '/':<16}{1600000000:<12}{0:<6}{0:<6}{0o100644:<8o}{len(data):<10}`\n"
        out.append(header.encode() + data + (b"\n" if len(data) % 2 else b""))
    return b"".join(out)


def cpio_newc(members):
    """A cpio archive in the "newc" format, built by hand."""
    out = []
    for ino, (name, data) in enumerate(members + [("TRAILER!!!", b"")], 1):
        nb = name.encode() + b"\0"
        mode = 0o100644 if data or name != "TRAILER!!!" else 0
        fields = [ino, mode, 0, 0, 1, 1600000000, len(data), 0, 0, 0, 0, len(nb), 0]
        head = b"070701" + b"".join(b"%08X" % v for v in fields)
        rec = head + nb
        rec += b"\0" * (-len(rec) % 4)
        rec += data + b"\0" * (-len(data) % 4)
        out.append(rec)
    return b"".join(out)


def test_formats(tmp):
    import bz2
    import lzma
    work = os.path.join(tmp, "formats")
    os.makedirs(work)
    members = [("a.txt", text(1)), ("b.txt", "Z\u00fcrich".encode("cp1252"))]
    make_tar(os.path.join(work, "x.tar.bz2"), members, mode="w:bz2")
    make_tar(os.path.join(work, "x.tar.xz"), members, mode="w:xz")
    open(os.path.join(work, "x.a"), "wb").write(ar_archive(members))
    open(os.path.join(work, "x.cpio"), "wb").write(cpio_newc(members))
    open(os.path.join(work, "note.txt.gz"), "wb").write(gzip.compress(text(5), mtime=0))
    open(os.path.join(work, "note.txt.bz2"), "wb").write(bz2.compress(text(6)))
    open(os.path.join(work, "note.txt.xz"), "wb").write(lzma.compress(text(7)))
    # A text that reads like an mtree spec must stay a text: mtree entries
    # name local files, which a bundle may never reach.
    secret = os.path.join(work, "secret.txt")
    open(secret, "w").write("local secret")
    open(os.path.join(work, "spec.txt"), "w").write(f"#mtree\n./s type=file size=12 contents={secret}\n")
    inputs = ["x.tar.bz2", "x.tar.xz", "x.a", "x.cpio", "note.txt.gz", "note.txt.bz2", "note.txt.xz",
              "spec.txt"]
    r = run(work, inputs)
    check(r.rc == 0, f"formats: exit 0 (got {r.rc}: {r.stderr})")
    want = [f"{b}/{m}" for b in inputs[:4] for m in ("a.txt", "b.txt")] + \
        ["note.txt.gz/note.txt", "note.txt.bz2/note.txt", "note.txt.xz/note.txt", "spec.txt"]
    check(r.ids == want, f"formats: ids {r.ids}")
    texts = {d["id"]: d["text"] for d in r.docs}
    check(texts.get("x.cpio/b.txt") == "Z\u00fcrich" and texts.get("x.a/a.txt") == text(1).decode(),
          f"formats: contents {texts.get('x.cpio/b.txt')!r}")
    check(all("local secret" not in t for t in texts.values()), "formats: mtree spec not followed")
    check_counts("formats", r, entered=len(want), processed=len(want))
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    r = run(work, ["-"], stdin_bytes=zbuf.getvalue())
    check(r.rc == 0 and r.ids == ["stdin/a.txt", "stdin/b.txt"], f"formats: zip on stdin {r.ids} {r.stderr}")
    r = run(work, ["-"], stdin_bytes=b"")
    check(r.rc == 0 and r.ids == ["stdin"] and r.docs[0]["text"] == "", f"formats: empty stdin {r.ids}")


def test_truncated_tar_gz(tmp):
    work = os.path.join(tmp, "trunc")
    os.makedirs(work)
    full = os.path.join(work, "full.tar.gz")
    # Incompressible-ish entries so the cut falls after the first ones.
    entries = [(f"doc{i}.txt", (text(i) + os.urandom(20000).hex().encode())) for i in range(10)]
    make_tar(full, entries)
    data = open(full, "rb").read()
    bundle = os.path.join(work, "cut.tar.gz")
    with open(bundle, "wb") as f:
        f.write(data[: len(data) // 2])
    os.unlink(full)
    before = snapshot(tmp)
    r = run(work, ["cut.tar.gz"])
    check(r.rc == 1, f"truncated tar.gz: exit 1 (got {r.rc}: {r.stderr})")
    check(1 <= len(r.docs) < 10, f"truncated tar.gz: the documents before the break ({len(r.docs)})")
    check(r.ids == [f"cut.tar.gz/doc{i}.txt" for i in range(len(r.docs))],
          f"truncated tar.gz: ids in order {r.ids}")
    check_counts("truncated tar.gz", r, failed=1)
    check(len(r.failures) == 1 and list(r.failures.values())[0]["id"].startswith("cut.tar.gz"),
          f"truncated tar.gz: one failure for the bundle {list(r.failures)}")
    check(snapshot(tmp) - before <= {"trunc/stdout.jsonl", "trunc/stderr.txt", "trunc/stats.json",
                                     "trunc/config.json"}, "truncated tar.gz: nothing else written")
    # A small tar.gz (all of it inside one block of decompressed data) cut
    # at 70%: the entries before the cut still come out, from a file and
    # from a pipe.
    small = io.BytesIO()
    with tarfile.open(fileobj=small, mode="w:gz") as tar:
        for i in range(5):
            add_file(tar, f"s{i}.txt", text(i) * 40)
    data = small.getvalue()
    with open(os.path.join(work, "small.tar.gz"), "wb") as f:
        f.write(data[: len(data) * 7 // 10])
    for inputs, stdin, bundle in ((["small.tar.gz"], None, "small.tar.gz"),
                                  (["-"], data[: len(data) * 7 // 10], "stdin")):
        r = run(work, inputs, stdin_bytes=stdin)
        check(r.rc == 1 and 1 <= len(r.docs) < 5 and
              r.ids == [f"{bundle}/s{i}.txt" for i in range(len(r.docs))],
              f"small truncated tar.gz ({bundle}): the entries before the cut ({r.rc}, {r.ids})")
        check(list(r.failures) == [bundle] and "truncated" in r.failures[bundle]["message"],
              f"small truncated tar.gz ({bundle}): one failure for the bundle {r.failures}")
        check_counts(f"small truncated tar.gz ({bundle})", r, failed=1)
    # The same for xz (bzip2 decodes whole blocks of 900 kB: nothing before
    # the cut of a small one can come out).
    import lzma
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for i in range(5):
            add_file(tar, f"s{i}.txt", os.urandom(3000).hex().encode())
    data = lzma.compress(raw.getvalue())
    with open(os.path.join(work, "small.tar.xz"), "wb") as f:
        f.write(data[: len(data) * 7 // 10])
    r = run(work, ["small.tar.xz"])
    check(r.rc == 1 and 1 <= len(r.docs) < 5 and list(r.failures) == ["small.tar.xz"],
          f"small truncated tar.xz: the entries before the cut ({r.rc}, {r.ids}, {r.failures})")


def test_zip_corrupt_entry(tmp):
    work = os.path.join(tmp, "zipbad")
    os.makedirs(work)
    bundle = os.path.join(work, "bad.zip")
    payload = b"The corrupt one. " * 400
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", text(1) * 50)
        z.writestr("b.txt", payload)
        z.writestr("c.txt", text(3) * 50)
    data = bytearray(open(bundle, "rb").read())
    # Damage b.txt's compressed data (after its local header and name).
    off = data.index(b"PK\x03\x04", data.index(b"a.txt") + 5)
    start = off + 30 + len("b.txt")
    for k in range(start + 5, start + 40):
        data[k] ^= 0x5A
    open(bundle, "wb").write(bytes(data))
    r = run(work, ["bad.zip"])
    check(r.rc == 1, f"corrupt zip entry: exit 1 (got {r.rc}: {r.stderr})")
    check(r.ids == ["bad.zip/a.txt", "bad.zip/c.txt"], f"corrupt zip entry: others exported {r.ids}")
    check("bad.zip/b.txt" in r.failures, f"corrupt zip entry: b.txt failed {list(r.failures)}")
    check_counts("corrupt zip entry", r, entered=3, processed=2, failed=1)


def test_unsafe_names(tmp):
    work = os.path.join(tmp, "unsafe")
    sub = os.path.join(work, "run")
    os.makedirs(sub)
    bundle = os.path.join(sub, "evil.tar")
    entries = [("ok.txt", text(1)), ("../evil.txt", b"escape"), ("/abs.txt", b"absolute"),
               ("a/../../evil2.txt", b"escape 2"), ("./dot/fine.txt", text(2))]
    link = tarfile.TarInfo("link.txt")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    hard = tarfile.TarInfo("hard.txt")
    hard.type = tarfile.LNKTYPE
    hard.linkname = "ok.txt"
    fifo = tarfile.TarInfo("fifo")
    fifo.type = tarfile.FIFOTYPE
    dev = tarfile.TarInfo("dev")
    dev.type = tarfile.CHRTYPE
    d = tarfile.TarInfo("dir")
    d.type = tarfile.DIRTYPE
    make_tar(bundle, entries + [link, hard, fifo, dev, d, ("dir/last.txt", text(3))], mode="w")
    zbundle = os.path.join(sub, "evil.zip")
    with zipfile.ZipFile(zbundle, "w") as z:
        z.writestr("good.txt", text(4))
        z.writestr("../../zip-evil.txt", b"escape")
        z.writestr("/zip-abs.txt", b"absolute")
        z.writestr("folder/", b"")
    before = snapshot(tmp)
    r = run(sub, ["evil.tar", "evil.zip"])
    check(r.rc == 1, f"unsafe names: exit 1 (got {r.rc}: {r.stderr})")
    check(r.ids == ["evil.tar/ok.txt", "evil.tar/dot/fine.txt", "evil.tar/dir/last.txt",
                    "evil.zip/good.txt"], f"unsafe names: the safe ones exported {r.ids}")
    check(failed_with(r, "evil.tar/../evil.txt", ["..'"]), "unsafe names: ../ fails")
    check(failed_with(r, "evil.tar//abs.txt", ["absolute"]), f"unsafe names: absolute fails {list(r.failures)}")
    check(failed_with(r, "evil.tar/a/../../evil2.txt", [".."]), "unsafe names: a/../../ fails")
    check(failed_with(r, "evil.tar/link.txt", ["symbolic link"]), "unsafe names: symlink fails")
    check(failed_with(r, "evil.tar/hard.txt", ["hard link"]), "unsafe names: hard link fails")
    check(failed_with(r, "evil.tar/fifo", ["FIFO"]), "unsafe names: FIFO fails")
    check(failed_with(r, "evil.tar/dev", ["device"]), "unsafe names: device fails")
    check(failed_with(r, "evil.zip/../../zip-evil.txt", [".."]), "unsafe names: zip ../ fails")
    check(failed_with(r, "evil.zip//zip-abs.txt", ["absolute"]), "unsafe names: zip absolute fails")
    check_counts("unsafe names", r, entered=13, processed=4, failed=9, filtered=0)
    new = snapshot(tmp) - before
    check(all(p.startswith("unsafe/run/") for p in new), f"unsafe names: nothing written outside {new}")
    check(not any("evil" in p for p in new), f"unsafe names: no entry written anywhere {new}")


def test_high_ratio_entry(tmp):
    work = os.path.join(tmp, "ratio")
    os.makedirs(work)
    make_tar(os.path.join(work, "ratio.tar.gz"),
             [("a.txt", text(1)), ("zeros.txt", b"\0" * (8 << 20)), ("b.txt", text(2))])
    with zipfile.ZipFile(os.path.join(work, "ratio.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", text(1))
        z.writestr("spaces.txt", b" " * (8 << 20))
        z.writestr("b.txt", text(2))
    r = run(work, ["ratio.tar.gz", "ratio.zip"])
    check(r.rc == 1, f"high ratio: exit 1 (got {r.rc}: {r.stderr})")
    check(r.ids == ["ratio.tar.gz/a.txt", "ratio.tar.gz/b.txt", "ratio.zip/a.txt", "ratio.zip/b.txt"],
          f"high ratio: the others exported {r.ids}")
    check(failed_with(r, "ratio.tar.gz/zeros.txt", ["max_ratio"]), f"high ratio: tar.gz entry fails {r.failures}")
    check(failed_with(r, "ratio.zip/spaces.txt", ["max_ratio"]), "high ratio: zip entry fails")
    check_counts("high ratio", r, entered=6, processed=4, failed=2)
    # A big high-ratio entry (256 MiB of zeros, over max_entry_bytes too)
    # fails alone: the entry after it is still read. Built from gzip members
    # (the zeros compressed once, repeated).
    def header(name, size):
        info = tarfile.TarInfo(name)
        info.size = size
        return info.tobuf(tarfile.GNU_FORMAT)
    data = text(8)
    zeros = gzip.compress(b"\0" * (64 << 20), compresslevel=9, mtime=0)
    with open(os.path.join(work, "big.tar.gz"), "wb") as f:
        f.write(gzip.compress(header("before.txt", len(data)) + data + b"\0" * (512 - len(data)) +
                              header("zeros.bin", 256 << 20), mtime=0))
        for _ in range(4):
            f.write(zeros)
        f.write(gzip.compress(header("after.txt", len(data)) + data + b"\0" * (512 - len(data)) +
                              b"\0" * 1024, mtime=0))
    r = run(work, ["big.tar.gz"])
    check(r.rc == 1 and r.ids == ["big.tar.gz/before.txt", "big.tar.gz/after.txt"],
          f"big high-ratio entry: the entries around it exported ({r.rc}, {r.ids}, {r.failures})")
    check(list(r.failures) == ["big.tar.gz/zeros.bin"], f"big high-ratio entry: fails alone {r.failures}")
    # The limit is configurable: raised, the same entries are documents.
    cfg = dict(CONFIG, input={"limits": {"max_ratio": 1000000}})
    r = run(work, ["ratio.zip"], config=cfg)
    check(r.rc == 0 and len(r.docs) == 3, f"high ratio: max_ratio raised (rc {r.rc}, {r.ids}, {r.stderr})")


def test_entry_size_limit(tmp):
    work = os.path.join(tmp, "size")
    os.makedirs(work)
    make_tar(os.path.join(work, "big.tar"), [("small.txt", text(1)), ("big.txt", os.urandom(300000)),
                                             ("small2.txt", text(2))], mode="w")
    cfg = dict(CONFIG, input={"limits": {"max_entry_bytes": 100000}})
    r = run(work, ["big.tar"], config=cfg)
    check(r.rc == 1, f"entry size: exit 1 (got {r.rc}: {r.stderr})")
    check(r.ids == ["big.tar/small.txt", "big.tar/small2.txt"], f"entry size: others exported {r.ids}")
    check(failed_with(r, "big.tar/big.txt", ["max_entry_bytes"]), f"entry size: big fails {r.failures}")
    check_counts("entry size", r, entered=3, processed=2, failed=1)


def make_in_child(maker, work):
    """Builds bundles in a child process, keeping this one small."""
    subprocess.run([sys.executable, os.path.abspath(__file__), "--make", maker, work], check=True)


def make_bombs(work):
    # A gzip bomb: one tar entry of 2 GiB of zeros, about 2 MB on disk
    # (concatenated gzip members of 64 MiB each, compressed once).
    first = tarfile.TarInfo("first.txt")
    data = text(0)
    first.size = len(data)
    bomb = tarfile.TarInfo("bomb.txt")
    bomb.size = 2 << 30
    start = first.tobuf(tarfile.GNU_FORMAT) + data + b"\0" * (512 - len(data)) + bomb.tobuf(tarfile.GNU_FORMAT)
    zeros = gzip.compress(b"\0" * (64 << 20), compresslevel=9, mtime=0)
    with open(os.path.join(work, "bomb.tar.gz"), "wb") as f:
        f.write(gzip.compress(start, mtime=0))
        for _ in range(32):
            f.write(zeros)
    # A bzip2 bomb far beyond gzip's ratio: 8 GiB of zeros in concatenated
    # bzip2 streams of 64 MiB each (a few kB in all).
    import bz2
    bomb.size = 8 << 30
    start = first.tobuf(tarfile.GNU_FORMAT) + data + b"\0" * (512 - len(data)) + bomb.tobuf(tarfile.GNU_FORMAT)
    zeros = bz2.compress(b"\0" * (64 << 20), 9)
    with open(os.path.join(work, "bomb.tar.bz2"), "wb") as f:
        f.write(bz2.compress(start, 9))
        for _ in range(128):
            f.write(zeros)
    # A zip whose entries are 2 MiB of zeros each: 200 of them.
    with zipfile.ZipFile(os.path.join(work, "many.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(200):
            z.writestr(f"z{i:03}.txt", b"\0" * (2 << 20))
    # Deep nesting: a.txt in 6 levels of zip-in-tar.gz-in-zip...
    inner = text(9)
    name = "a.txt"
    for level in range(6):
        buf = io.BytesIO()
        if level % 2 == 0:
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr(name, inner)
            name = f"level{level}.zip"
        else:
            with tarfile.open(fileobj=buf, mode="w:gz") as t:
                add_file(t, name, inner)
            name = f"level{level}.tar.gz"
        inner = buf.getvalue()
    open(os.path.join(work, "deep.zip"), "wb").write(inner)
    # A double-compressed bomb: a gzip of 256 MiB of one letter inside a
    # tar.gz (zeros would be read as an empty tar archive).
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as gz:
        for _ in range(256):
            gz.write(b"a" * (1 << 20))
    make_tar(os.path.join(work, "double.tar.gz"), [("ok.txt", text(5)), ("a.txt.gz", buf.getvalue())])


def test_bombs(tmp):
    work = os.path.join(tmp, "bombs")
    os.makedirs(work)
    make_in_child("make_bombs", work)
    size = sum(os.path.getsize(os.path.join(work, n)) for n in os.listdir(work))
    check(size < 12 << 20, f"bombs: the bundles are small ({size} bytes)")
    for name in ("bomb.tar.gz", "bomb.tar.bz2", "many.zip", "deep.zip", "double.tar.gz"):
        r = run(work, [name], timeout=120)
        print(f"  {name}: {os.path.getsize(os.path.join(work, name))} bytes, exit {r.rc}, "
              f"{r.seconds:.1f} s, peak RSS {r.rss_mb:.0f} MB, {len(r.docs)} exported, "
              f"{len(r.failures)} failed", flush=True)
        check(r.rc == 1, f"bomb {name}: exit 1 (got {r.rc}: {r.stderr[-500:]})")
        check(r.seconds < 60, f"bomb {name}: under 60 s ({r.seconds:.1f})")
        check(r.rss_mb < 256, f"bomb {name}: peak RSS under 256 MB ({r.rss_mb:.0f})")
        check_counts(f"bomb {name}", r)
        if name.startswith("bomb."):
            check(r.ids == [f"{name}/first.txt"], f"bomb: the entry before exported {r.ids}")
        if name == "deep.zip":
            check(any("max_depth" in f["message"] for f in r.failures.values()),
                  f"deep nesting: max_depth named {r.failures}")
        if name == "double.tar.gz":
            check(r.ids == ["double.tar.gz/ok.txt"], f"double bomb: ok.txt exported {r.ids}")


def test_nested(tmp):
    work = os.path.join(tmp, "nested")
    os.makedirs(work)
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("in/a.txt", text(1))
        z.writestr("in/b.txt", text(2))
    make_tar(os.path.join(work, "outer.tar.gz"),
             [("first.txt", text(0)), ("inner.zip", zbuf.getvalue()),
              ("note.txt.gz", gzip.compress(text(3), mtime=0)), ("last.txt", text(4))])
    r = run(work, ["outer.tar.gz"])
    check(r.rc == 0, f"nested: exit 0 (got {r.rc}: {r.stderr})")
    check(r.ids == ["outer.tar.gz/first.txt", "outer.tar.gz/inner.zip/in/a.txt",
                    "outer.tar.gz/inner.zip/in/b.txt", "outer.tar.gz/note.txt.gz/note.txt",
                    "outer.tar.gz/last.txt"], f"nested: ids {r.ids}")
    check_counts("nested", r, entered=5, processed=5, failed=0)
    # max_depth 0: the nested archives are failed documents.
    cfg = dict(CONFIG, input={"limits": {"max_depth": 0}})
    r = run(work, ["outer.tar.gz"], config=cfg)
    check(r.rc == 1 and failed_with(r, "outer.tar.gz/inner.zip", ["max_depth"]),
          f"nested: max_depth 0 ({r.rc}, {r.failures})")


def test_cp437_names(tmp):
    work = os.path.join(tmp, "cp437")
    os.makedirs(work)
    bundle = os.path.join(work, "names.zip")
    # zipfile writes non-ASCII names as UTF-8 with the flag, so write
    # placeholders and put CP437 bytes in their place (same length).
    names = ["Caf\u00e9.txt", "\u00c4rger \u00fcber \u00df.txt", "\u00bdprice.txt"]
    holders = [f"name{i}".ljust(len(n.encode("cp437")), "_") for i, n in enumerate(names)]
    with zipfile.ZipFile(bundle, "w") as z:
        for h in holders:
            z.writestr(h, text(len(h)))
        z.writestr("utf8-\u00e9t\u00e9.txt", text(0))  # this one has the UTF-8 flag
    data = open(bundle, "rb").read()
    for h, n in zip(holders, names):
        data = data.replace(h.encode(), n.encode("cp437"))
    open(bundle, "wb").write(data)
    r = run(work, ["names.zip"])
    check(r.rc == 0, f"CP437 names: exit 0 (got {r.rc}: {r.stderr})")
    want = [f"names.zip/{n}" for n in names] + ["names.zip/utf8-\u00e9t\u00e9.txt"]
    check(r.ids == want, f"CP437 names: decoded {r.ids}")
    check_counts("CP437 names", r, entered=4, processed=4)


def test_directory_entries_and_include(tmp):
    work = os.path.join(tmp, "dirs")
    os.makedirs(work)
    entries = []
    for d in ("a", "a/b", "c"):
        info = tarfile.TarInfo(d)
        info.type = tarfile.DIRTYPE
        entries.append(info)
    entries += [("a/one.txt", text(1)), ("a/b/two.md", text(2)), ("c/three.txt", text(3))]
    make_tar(os.path.join(work, "dirs.tar.gz"), entries)
    r = run(work, ["dirs.tar.gz"])
    check(r.rc == 0, f"directory entries: exit 0 (got {r.rc})")
    check_counts("directory entries", r, entered=3, processed=3, failed=0, filtered=0)
    cfg = dict(CONFIG, input={"include": ["*.txt"]})
    r = run(work, ["dirs.tar.gz"], config=cfg)
    check(r.rc == 0, f"include: exit 0 (got {r.rc}: {r.stderr})")
    check(r.ids == ["dirs.tar.gz/a/one.txt", "dirs.tar.gz/c/three.txt"], f"include: {r.ids}")
    check_counts("include", r, entered=3, processed=2, failed=0, filtered=1)


def test_folder(tmp):
    work = os.path.join(tmp, "folder")
    inbox = os.path.join(work, "inbox")
    os.makedirs(os.path.join(inbox, "sub", "deeper"))
    open(os.path.join(inbox, "b.txt"), "wb").write(text(2))
    open(os.path.join(inbox, "a.txt"), "wb").write(text(1))
    open(os.path.join(inbox, "sub", "deeper", "c.txt"), "wb").write("Z\u00fcrich \u2013 Gen\u00e8ve".encode("cp1252"))
    open(os.path.join(inbox, "sub", "empty.txt"), "wb").close()
    secret = os.path.join(work, "secret.txt")
    open(secret, "wb").write(b"outside the bundle")
    os.symlink(secret, os.path.join(inbox, "link.txt"))
    os.symlink("..", os.path.join(inbox, "sub", "up"))
    os.mkfifo(os.path.join(inbox, "pipe"))
    r = run(work, ["inbox"], timeout=60)
    check(r.rc == 1, f"folder: exit 1 (got {r.rc}: {r.stderr})")
    check(r.ids == ["inbox/a.txt", "inbox/b.txt", "inbox/sub/deeper/c.txt", "inbox/sub/empty.txt"],
          f"folder: sorted, symlinks not followed {r.ids}")
    check(failed_with(r, "inbox/link.txt", ["symbolic link"]), "folder: symlink fails")
    check(failed_with(r, "inbox/sub/up", ["symbolic link"]), "folder: symlink to .. fails")
    check(failed_with(r, "inbox/pipe", ["FIFO"]), "folder: FIFO fails")
    check(all("outside the bundle" not in d["text"] for d in r.docs), "folder: link target not read")
    c = [d for d in r.docs if d["id"] == "inbox/sub/deeper/c.txt"]
    check(c and c[0]["text"] == "Z\u00fcrich \u2013 Gen\u00e8ve" and
          c[0]["source"]["encoding"] == "windows-1252", f"folder: windows-1252 decoded {c}")
    check_counts("folder", r, entered=7, processed=4, failed=3)


def test_deep_folder(tmp):
    work = os.path.join(tmp, "deepdir")
    os.makedirs(work)
    # Deeper than PATH_MAX allows as one path: 300 levels of 20-character names.
    path = os.path.join(work, "tree")
    os.mkdir(path)
    fd = os.open(path, os.O_RDONLY)
    for i in range(300):
        os.mkdir(f"level-{i:04}-xxxxxxxx", dir_fd=fd)
        nfd = os.open(f"level-{i:04}-xxxxxxxx", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    leaf = os.open("leaf.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
    os.write(leaf, text(7))
    os.close(leaf)
    os.close(fd)
    r = run(work, ["tree"])
    check(r.rc == 0 and len(r.docs) == 1 and r.ids[0].endswith("/leaf.txt") and
          r.ids[0].count("/") == 301, f"deep folder: the leaf found ({r.rc}, {r.stderr[-300:]})")
    shutil.rmtree(path, ignore_errors=True)


def test_stdin(tmp):
    work = os.path.join(tmp, "stdin")
    os.makedirs(work)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        add_file(t, "x.txt", text(1))
        add_file(t, "y.txt", text(2))
    r = run(work, ["-"], stdin_bytes=buf.getvalue())
    check(r.rc == 0 and r.ids == ["stdin/x.txt", "stdin/y.txt"], f"stdin archive: {r.rc} {r.ids} {r.stderr}")
    r = run(work, ["-"], stdin_bytes="Plain caf\u00e9 text.\n".encode())
    check(r.rc == 0 and r.ids == ["stdin"] and r.docs[0]["text"] == "Plain caf\u00e9 text.\n",
          f"stdin text: {r.rc} {r.ids} {r.stderr}")
    lines = [
        json.dumps({"id": "a", "text": "First.", "mtime": "2020-06-30", "lang": "en"}),
        "{not json",
        json.dumps({"id": 7, "bytes_b64": "Q2Fm6Q=="}),
        json.dumps({"id": 1.5, "text": "float id"}),
        "",
        json.dumps({"id": "no-text"}),
        json.dumps(["an", "array"]),
        json.dumps({"id": "b", "text": "Last.", "mtime": "2020-06-30T12:00:00Z"}),
    ]
    r = run(work, ["-"], stdin_bytes=("\n".join(lines) + "\n").encode(), extra=["--input-format", "jsonl"])
    check(r.rc == 1, f"jsonl: exit 1 (got {r.rc}: {r.stderr})")
    check(r.ids == ["a", 7, "b"], f"jsonl: ids keep their type {r.ids}")
    check(r.docs and r.docs[0]["meta"].get("lang") == "en", "jsonl: other fields go to meta")
    check(len(r.docs) > 1 and r.docs[1]["text"] == "Caf\u00e9" and
          r.docs[1]["source"]["encoding"] == "windows-1252", "jsonl: bytes_b64 decoded like a file")
    # A line without a usable id is failed as "stdin:LINE"; one with an id
    # keeps it. Either way the message names the line.
    for line, id_ in ((2, "stdin:2"), (4, "stdin:4"), (6, "no-text"), (7, "stdin:7")):
        check(id_ in r.failures and f"line {line}" in r.failures[id_]["message"],
              f"jsonl: line {line} is a failed document naming its line {list(r.failures)}")
    check_counts("jsonl", r, entered=7, processed=3, failed=4)


N_MANY = 100000


def make_many(work):
    n = N_MANY
    # Tiny entries make tar headers compress 100 (gzip -9) to 400 (xz) times:
    # that is no bomb. The tar is built once, then compressed both ways.
    import lzma
    parts = []
    for i in range(n):
        data = b"doc %d\n" % i
        info = tarfile.TarInfo(f"d/{i:06}.txt")
        info.size = len(data)
        info.mtime = 1600000000
        parts += [info.tobuf(tarfile.GNU_FORMAT), data, b"\0" * (512 - len(data))]
    raw = b"".join(parts) + b"\0" * 10240
    with open(os.path.join(work, "many.tar.gz"), "wb") as f:
        f.write(gzip.compress(raw, compresslevel=9, mtime=0))
    with open(os.path.join(work, "many.tar.xz"), "wb") as f:
        f.write(lzma.compress(raw, preset=1))
    with zipfile.ZipFile(os.path.join(work, "many.zip"), "w", zipfile.ZIP_STORED) as z:
        for i in range(n):
            z.writestr(f"d/{i:06}.txt", b"doc %d\n" % i)


def test_many_entries(tmp):
    work = os.path.join(tmp, "many")
    os.makedirs(work)
    n = N_MANY
    make_in_child("make_many", work)
    for name in ("many.tar.gz", "many.tar.xz", "many.zip"):
        r = run(work, [name], timeout=150)
        print(f"  {name}: {n} entries, exit {r.rc}, {r.seconds:.1f} s, peak RSS {r.rss_mb:.0f} MB",
              flush=True)
        check(r.rc == 0, f"{name}: exit 0 (got {r.rc}: {r.stderr[-300:]})")
        check(r.seconds < 120, f"{name}: under 120 s ({r.seconds:.1f})")
        check(r.rss_mb < 256, f"{name}: flat memory ({r.rss_mb:.0f} MB)")
        check(len(r.docs) == n and r.ids[0] == f"{name}/d/000000.txt" and
              r.ids[-1] == f"{name}/d/{n - 1:06}.txt", f"{name}: every entry in order")
        check_counts(name, r, entered=n, processed=n)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--make":
        globals()[sys.argv[2]](sys.argv[3])
        return 0
    if not DOCPIPE:
        print("DOCPIPE is not set (the path of the docpipe binary)")
        return 2
    only = sys.argv[1:]
    tests = [(k, v) for k, v in sorted(globals().items()) if k.startswith("test_") and callable(v)]
    with tempfile.TemporaryDirectory(prefix="docpipe-input-") as tmp:
        for name, fn in tests:
            if only and name not in only:
                continue
            t0 = time.monotonic()
            fn(tmp)
            print(f"{name}: {time.monotonic() - t0:.1f} s", flush=True)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        return 1
    print("all input safety checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
