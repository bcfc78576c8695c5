"""Cell observations (kind 4) are appended by the fix loop just before a batch is due, so
that they ride in that batch, chained like every record; never from inside the uploader."""

import hashlib
import struct

import fwtest
from badge.app import FixRecorder
from badge.uploader import Uploader
from cellular.observe import CellReporter
from storage.recordlog import RecordLog
from test_uploader_app import F

SERVING = (3, 0, 460, 11, 2, -88, 30564, 117148181, 100)
NEIGHBOUR = (1, 1, 460, 0, 2, -78, 21771, 12146, 75)


class Cells:
    def __init__(self):
        self.asked = 0

    def cells(self):
        self.asked += 1
        return [SERVING, NEIGHBOUR]


class Key:
    def sign(self, msg):
        return msg + msg


class Host:
    def __init__(self):
        self.bodies = []

    def post(self, path, body):
        body = bytes(body)
        self.bodies.append(body)
        count = struct.unpack_from("<H", body, 6)[0]
        last = struct.unpack_from("<I", body, 24 + 72 * (count - 1) + 4)[0]
        return 200, {"ok": True, "ack_seq": last}


def test_cells_are_in_the_batch_they_precede():
    d = fwtest.tmpdir("cells")
    try:
        log = RecordLog(d)
        host = Host()
        up = Uploader(log, Key(), b"\x01" * 8, host, batch_size=10, compact=False)
        rec = FixRecorder(log, up)
        modem = Cells()
        rec.cells = CellReporter(modem, 10, max_cells=3)
        for t in range(1000, 1016):  # 8 fixes + 2 cells per batch of 10
            rec.on_fix(F(t))
        assert len(host.bodies) == 2 and modem.asked == 2 and rec.cells.logged == 4
        body = host.bodies[0]
        kinds = [body[24 + 72 * i + 1] for i in range(10)]
        # fixes 1..7, cells at seq 8 and 9 (collected when 7 = 10 - 3 were pending), fix 10
        assert kinds == [1] * 7 + [4, 4, 1]
        r = body[24 + 72 * 7:24 + 72 * 8]
        assert struct.unpack_from("<BBHHBhIQH", r, 14) == SERVING
        assert r[37:40] == b"\x00\x00\x00"  # 3 reserved zero bytes
        # stamped with the time of the fix just logged (seq 7, t=1006), GNSS time source
        assert struct.unpack_from("<IH", r, 8) == (1006, 0) and r[2] & 3 == 1
        prev = hashlib.sha256(body[24 + 72 * 6:24 + 72 * 7]).digest()
        assert r[40:72] == prev  # in the one chain
    finally:
        fwtest.rmtree(d)
