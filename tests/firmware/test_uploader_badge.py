"""The whole Badge (key, record log, NMEA reader, uploader) on a real receiver log against
the scripted host of test_uploader.py. Own file (own micropython process) for the heap."""

# Heap order as in badge.unix_main: modules compiled from source need a big transient heap
# and the key's derivation another, so the code comes first and the key last.
from wire.batch import BatchBuffer  # noqa: I001
from gnss.nmea import NmeaReader  # noqa: F401
from badge.app import Badge
from badge.identity import load_key

import struct

import fwtest

M9N = "nmea/gpsd/ublox-neo-m9n-nmea.log"


def _tmpdir():
    return fwtest.tmpdir("app")


_rmtree = fwtest.rmtree


class AckingHost:
    """The first post fails like a dead network; then every batch continuing the stored
    chain is stored and acknowledged (docs/protocol-v1.md 200 answer)."""

    def __init__(self):
        self.stored = 0
        self.posts = 0

    def post(self, path, body):
        self.posts += 1
        if self.posts == 1:
            raise OSError(113)
        assert bytes(body[8:16]) == self.device_id
        count = struct.unpack_from("<H", body, 6)[0]
        first = struct.unpack_from("<I", body, 28)[0]
        assert first <= self.stored + 1
        assert body[5] == 1 and len(body) < 24 + 72 * count + 64  # compact by default
        self.stored = max(self.stored, first + count - 1)
        return 200, {"ok": True, "ack_seq": self.stored}


class FileBoard:
    """The board interface over a file and a scripted host (board.unix needs real sockets)."""

    def __init__(self, fs, gnss_path, uplink):
        self.fs_root, self.gnss_path, self._uplink = fs, gnss_path, uplink

    def open_gnss(self):
        return open(self.gnss_path, "rb")

    def uplink(self):
        return self._uplink

    def note_heap(self):
        pass

    def mem_peak(self):
        return None

    def idle_ms(self, ms):
        pass


def test_badge_run_uploads_every_record_of_a_real_log():
    path = fwtest.data_path(M9N)
    d = _tmpdir()
    try:
        batch = BatchBuffer(25)
        identity = load_key(d)
        host = AckingHost()
        badge = Badge(FileBoard(d, path, host), 25, 1000, identity, batch)
        host.device_id = badge.device_id
        out = badge.run()
        assert out["fixes_read"] == 61 and out["records_signed"] == 61
        assert out["records_uploaded"] == 61 and out["records_pending"] == 0
        assert out["records_rejected"] == 0 and out["nmea_rejected"] == 0
        assert out["upload_errors"] == 1 and host.stored == 61
        # a second run continues the chain from the persisted state
        badge.log.close()
        badge2 = Badge(FileBoard(d, path, host), 25, 1000, identity, batch)
        assert badge2.log.last_seq == 61 and badge2.log.count() == 0
        assert load_key(d)[2] == badge.device_id  # the key on disk is the same device
    finally:
        _rmtree(d)
