"""Helpers shared by the firmware tests, importable under CPython (pytest) and micropython.

The firmware tests are plain `test_*` functions with `assert`s. pytest collects them under
CPython; tests/firmware/mprun.py runs the same files under the real micropython binary.
"""

import os
import sys

IS_MPY = sys.implementation.name == "micropython"
# Paths are relative to the repository root: both runners start there.
DATA = os.getenv("VISITPROOF_DATA") or "../shared/data"


class Skip(Exception):
    pass


def skip(reason):
    if not IS_MPY:
        import pytest

        pytest.skip(reason)
    raise Skip(reason)


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def data_path(rel):
    """Path of a shared recording; skips when the folder is absent, fails under CI=true."""
    path = DATA + "/" + rel
    if not _exists(path):
        if os.getenv("CI") == "true":
            raise AssertionError("CI=true but the shared recording is missing: " + path)
        skip("shared data absent (" + path + "); set VISITPROOF_DATA or run beside ../shared")
    return path


def read_lines(path):
    """Yield lines of a text file without loading it whole (the heap is small)."""
    with open(path, "rb") as f:
        for line in f:
            yield line


def load_json(path):
    import json

    with open(path) as f:
        return json.load(f)


def vectors():
    return load_json("docs/vectors/protocol-v1.json")


def tmpdir(prefix):
    """A fresh directory under /tmp (no tempfile module on micropython)."""
    path = "/tmp/vp_test_" + prefix + "_" + "".join(f"{b:02x}" for b in os.urandom(6))
    os.mkdir(path)
    return path


def rmtree(path):
    for name in os.listdir(path):
        full = path + "/" + name
        if os.stat(full)[0] & 0x4000:
            rmtree(full)
        else:
            os.remove(full)
    os.rmdir(path)
