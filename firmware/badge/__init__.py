"""The badge application: fix loop (app.py), uploader, HTTP uplink, unix entry point."""

import sys


def unload(name):
    """Drop module `name` (e.g. "sign.keystore") so that its code can be collected.

    For code used once at start-up: on a 100 KB heap a module's bytecode, functions and
    globals are worth keeping only while they run. A later import loads it again.
    """
    sys.modules.pop(name, None)
    parent, _, attr = name.rpartition(".")
    pkg = sys.modules.get(parent)
    if pkg is not None and attr in pkg.__dict__:
        delattr(pkg, attr)
