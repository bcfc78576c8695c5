"""`badge.unix_main wipe`: the key and the log are gone; the next boot is a new badge."""

import os

import fwtest
from badge.unix_main import main
from storage.recordlog import SUFFIX, RecordLog
from wire.record import CHECKIN_FMT, KIND_CHECKIN, RECORD_SIZE, TIME_GNSS, pack_record


def _segments(d):
    return [n for n in os.listdir(d + "/log") if n.endswith(SUFFIX)]


def test_wipe_command_erases_the_key_and_the_log():
    d = fwtest.tmpdir("wipe")
    try:
        first = main(["provision", "--fs", d])
        log = RecordLog(d + "/log")
        rec = bytearray(RECORD_SIZE)
        pack_record(rec, KIND_CHECKIN, TIME_GNSS, 1, 1_700_000_000, 0, None, CHECKIN_FMT,
                    7, 481_173_000, 115_167_000, 5, 0, 0, 0)
        log.append(rec)
        log.sync()
        log.close()
        assert "key.seed" in os.listdir(d) and _segments(d)
        assert main(["wipe", "--fs", d]) == {"wiped": True}
        assert "key.seed" not in os.listdir(d)
        assert not _segments(d)
        second = main(["provision", "--fs", d])
        assert second["device_id"] != first["device_id"]  # a new key: a new device
    finally:
        fwtest.rmtree(d)
