"""Unix-port entry point of the badge.

  MICROPYPATH=firmware .venv/bin/micropython -X heapsize=100K -m badge.unix_main \
      COMMAND --fs DIR [--gnss tcp:HOST:PORT|file:PATH] [--host http://HOST:PORT] [--batch 60]
      [--interval-ms 1000] [--checkins CASE@UNIX_S,...]
      [--modem tcp:HOST:PORT|/dev/pts/N] [--modem-dialect simcom|quectel] [--apn NAME]

COMMAND wipe: erase the key and the record log under DIR; print {"wiped": true}
COMMAND provision: create the key under DIR on first use; print
  {"device_id": hex, "public_key": hex}
COMMAND run: read the GNSS stream to its end, log and upload, upload what is pending; print
  {"fixes_read", "records_signed", "records_uploaded", "records_rejected", "records_pending",
   "nmea_rejected", "peak_heap_bytes", ...}
--modem uploads through the cellular modem (the simulator's socket or pty) instead of
plain HTTP; --host is then the URL the modem's HTTP stack posts to (firmware/cellular).
--checkins presses the check-in button for case CASE at the first fix at or after UNIX_S.
Each prints exactly one JSON line on stdout and exits 0; a fatal error prints
{"error": "..."} and exits 1. Diagnostics go to stderr.
"""

import json
import sys

from badge import unload

_USAGE = ("usage: badge.unix_main provision|run|wipe --fs DIR [--gnss SRC] [--host URL]"
          " [--batch N]")
_OPTIONS = {"--fs": "fs", "--gnss": "gnss", "--host": "host", "--batch": "batch",
            "--interval-ms": "interval_ms", "--checkins": "checkins", "--modem": "modem",
            "--modem-dialect": "modem_dialect", "--apn": "apn"}


def parse_args(argv):
    if not argv or argv[0] not in ("provision", "run", "wipe"):
        raise ValueError(_USAGE)
    opts = {"command": argv[0], "fs": None, "gnss": None, "host": None, "batch": "60",
            "interval_ms": "1000"}
    i = 1
    while i < len(argv):
        name = _OPTIONS.get(argv[i])
        if name is None or i + 1 >= len(argv):
            raise ValueError("bad option %s; %s" % (argv[i], _USAGE))
        opts[name] = argv[i + 1]
        i += 2
    if not opts["fs"]:
        raise ValueError("--fs DIR is required; " + _USAGE)
    return opts


def _hex(b):
    return "".join("%02x" % x for x in b)


def wipe(fs):
    """Erase the signing key and the record log (storage.wipe). The unix port's directory
    is not flash: its free space is not scrubbed (that would fill the host's disk)."""
    from storage.recordlog import RecordLog
    from storage.wipe import wipe_badge

    from badge.app import LOG_DIR

    wipe_badge(fs, RecordLog(fs + "/" + LOG_DIR), scrub=False)
    return {"wiped": True}


def main(argv):
    opts = parse_args(argv)
    if opts["command"] == "wipe":
        return wipe(opts["fs"].rstrip("/") or "/")
    batch = None
    if opts["command"] == "run":
        # Heap order matters more than heap size (fragmentation): the largest permanent
        # block (the batch buffer) first, the largest module next, then the key (deriving
        # the public key needs a big transient heap), then the rest of the code.
        from wire.batch import BatchBuffer

        batch = BatchBuffer(int(opts["batch"]))
        import gnss.nmea  # noqa: F401
    from badge.identity import load_key

    identity = load_key(opts["fs"].rstrip("/") or "/")
    del load_key
    unload("badge.identity")  # start-up code: its heap goes back to the fix loop
    if opts["command"] == "provision":
        return {"device_id": _hex(identity[2]), "public_key": _hex(identity[1])}
    from board import get_board

    from badge.app import Badge

    modem = {}
    if opts.get("modem"):
        modem = {"modem": opts["modem"], "modem_dialect": opts.get("modem_dialect") or "simcom",
                 "apn": opts.get("apn") or "internet"}
    board = get_board(fs=opts["fs"], gnss=opts["gnss"], host=opts["host"], **modem)
    badge = Badge(board, int(opts["batch"]), int(opts["interval_ms"]), identity, batch)
    for item in (opts.get("checkins") or "").split(","):
        if item:
            case_ref, _, at = item.partition("@")
            badge.desk.schedule(int(case_ref), int(at))
    return badge.run()


def _entry():
    try:
        out = main(sys.argv[1:])
    except Exception as e:  # noqa: BLE001 - one JSON error line, nonzero exit
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}))
        sys.exit(1)
    print(json.dumps(out))
    sys.exit(0)


if __name__ == "__main__":
    _entry()
