"""The uploader posting through the modem: a module transport failure keeps the batch in
the log; the retry stores it once (records leave the log only on the host's ack_seq)."""

import fwtest
from badge.uploader import RETRY, SENT, Uploader
from cellular.modem import Modem, ModemUplink, make_dialect
from fakemodem import BASE, OK, URL, channel, simcom_bring_up, simcom_upload
from storage.recordlog import RecordLog
from wire.record import CELL_FMT, KIND_CELL, pack_record


class Key:
    def sign(self, msg):
        return msg + msg


def test_uploader_through_modem_keeps_records_until_acked():
    # +HTTPACTION: 1,603,0 (the module's DNS failure): RETRY, nothing deleted; the modem is
    # re-checked, the same records go again in a new batch and are acknowledged
    n = 24 + 72 * 10 + 64
    ack = b'{"ok": true, "ack_seq": 10, "stored": 10, "duplicates": 0}'
    recheck = simcom_bring_up()[:7] + [(b"AT+HTTPINIT", OK)] + simcom_bring_up()[8:]
    script = (simcom_bring_up() + simcom_upload(n, 603, b"")[:2] + recheck
              + simcom_upload(n, 200, ack))
    ch, fake, _ = channel(script)
    modem = Modem(ch, make_dialect("simcom", ch), url=URL)
    d = fwtest.tmpdir("modem_up")
    try:
        log = RecordLog(d)
        buf = bytearray(72)
        for t in range(2000, 2010):  # ten cell records stand in for any kind
            pack_record(buf, KIND_CELL, 1, log.last_seq + 1, t, 0, log.last_hash, CELL_FMT,
                        3, 0, 460, 11, 2, -88, 30564, 117148181, 100)
            log.append(buf)
        up = Uploader(log, Key(), b"\x02" * 8, ModemUplink(modem, BASE), batch_size=10,
                      compact=False)
        assert up.upload_once() == RETRY and log.count() == 10 and up.upload_errors == 1
        assert up.upload_once() == SENT and log.count() == 0 and up.records_uploaded == 10
        assert len(fake.data) == 2 and fake.data[0][24:744] == fake.data[1][24:744]
        assert not fake.script
    finally:
        fwtest.rmtree(d)
