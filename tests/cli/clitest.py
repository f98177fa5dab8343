"""The harness the CLI tests share: where the source tree and the docpipe
binary are, and one check() that records a result and prints it as it
happens. Each test script imports it (python3 puts the script's folder on
sys.path) and ends with `sys.exit(finish())`-style reporting of its own."""
import os
import sys

SRC = os.environ.get("DOCPIPE_SOURCE_DIR") or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# (name, passed, why) for every check made so far.
results = []


def check(name, ok, why=""):
    """Records and prints one check; returns whether it held."""
    results.append((name, bool(ok), why))
    print("%s %s%s" % ("ok  " if ok else "FAIL", name, "" if ok else ": " + str(why)[:600]), flush=True)
    return ok


def failures():
    """Names of the checks that failed."""
    return [r[0] for r in results if not r[1]]


def docpipe_binary(test):
    """The binary under test: env DOCPIPE (CTest sets it), else build/docpipe."""
    path = os.environ.get("DOCPIPE") or os.path.join(SRC, "build", "docpipe")
    if not os.access(path, os.X_OK):
        sys.exit("%s: no docpipe binary at %s (set DOCPIPE)" % (test, path))
    return os.path.abspath(path)
