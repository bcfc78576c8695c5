"""Run one firmware test file under micropython: `micropython tests/firmware/mprun.py FILE`.

Collects the module's `test_*` functions, runs each, prints one line per test and the
closing 'N passed, N failed, N skipped' line; exits 1 on any failure. Run from the
repository root; tests/firmware/ and the firmware go on sys.path. The firmware comes from
$VP_FIRMWARE: firmware/ (source) by default, build/mpy when the caller compiled it with
mpy-cross as the badge runs it.
"""

import gc
import os
import sys

sys.path.insert(0, os.getenv("VP_FIRMWARE") or "firmware")
sys.path.insert(0, "tests/firmware")

import fwtest  # noqa: E402


def main():
    path = sys.argv[1]
    name = path.rsplit("/", 1)[-1][:-3]
    only = sys.argv[2] if len(sys.argv) > 2 else None
    mod = __import__(name)
    passed = failed = skipped = 0
    for attr in sorted(dir(mod)):
        if not attr.startswith("test_") or (only and attr != only):
            continue
        fn = getattr(mod, attr)
        if not callable(fn):
            continue
        gc.collect()
        try:
            fn()
        except fwtest.Skip as e:
            skipped += 1
            print("SKIP", attr, e)
            continue
        except Exception as e:  # noqa: BLE001 - the runner reports every failure
            failed += 1
            print("FAIL", attr)
            sys.print_exception(e)
            continue
        passed += 1
        print("ok  ", attr)
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    sys.exit(1 if failed or not (passed or skipped) else 0)


main()
