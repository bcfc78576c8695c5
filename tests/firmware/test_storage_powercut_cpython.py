"""Power cuts and SIGKILLs against the record log, each checked record by record.

- 500 power cuts: the firmware's log on littlefs (vfs.VfsLfs2, the ESP32's filesystem) over
  an emulated NOR flash that loses power at a random block operation, under the real
  micropython (storage/crashtest.py; the test reads its JSON line).
- SIGKILL: the firmware appending on the unix port's own filesystem is killed at random
  moments; after each kill the log is opened, checked, and part of the time uploaded with
  the firmware's own uploader to the real host on loopback; at the end the host must hold
  every durable record exactly once.
- Wipe: after wipe + scrub, the emulated flash chip holds neither key nor any frame.
"""

import ast
import hashlib
import json
import os
import random
import signal
import subprocess
import time

from badge.http import HttpUplink
from badge.uploader import Uploader
from sign.ed25519 import SigningKey
from sign.keystore import device_id
from storage.recordlog import RecordLog
from test_under_micropython import ROOT, micropython


def _mpy(args, heap="8M", timeout=900, firmware="firmware"):
    return subprocess.run(
        [micropython(), "-X", "heapsize=" + heap, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        env=dict(os.environ, MICROPYPATH=os.path.join(ROOT, firmware)),
    )


def test_500_power_cuts_on_littlefs_lose_no_durable_record():
    proc = _mpy(["-m", "storage.crashtest", "--kills", "500", "--seed", "7"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["kills"] == 500
    assert out["records_durable"] > 10000  # the cuts fell among many durable records
    assert out["acks"] > 1000 and out["syncs"] > 1000  # every operation was cut into
    assert out["mount_failures"] == 0
    assert out["records_lost"] == 0
    assert out["records_duplicated"] == 0
    assert out["chain_breaks"] == 0 and out["records_foreign"] == 0
    assert out["exactly_once"] is True


_WIPE_SCRIPT = """
import sys, vfs, os
from storage.norflash import NorFlash
from storage.recordlog import RecordLog
from storage.wipe import wipe_badge
dev = NorFlash(48)
vfs.VfsLfs2.mkfs(dev)
vfs.mount(vfs.VfsLfs2(dev), "/f")
with open("/f/key.seed", "wb") as f:
    f.write(b"SEED" * 8)
log = RecordLog("/f/log")
rec = bytearray(72)
for seq in range(1, 400):
    rec[1] = 1
    rec[4:8] = seq.to_bytes(4, "little")
    rec[14:22] = b"LATLON%02d" % (seq % 100)
    rec[40:72] = log.last_hash
    log.append(rec)
log.sync()
key = open("/f/log/log.key", "rb").read()
frame = open("/f/log/0000000001.seg", "rb").read(96)
before = (bytes(dev.data).count(key), bytes(dev.data).count(frame[12:44]))
wipe_badge("/f", log)
data = bytes(dev.data)
print(repr((before, data.count(key), data.count(b"SEED" * 8), data.count(frame[12:44]),
      sorted(os.listdir("/f")), sorted(os.listdir("/f/log")))))
"""


def test_wipe_leaves_nothing_on_the_flash_chip():
    proc = _mpy(["-c", _WIPE_SCRIPT])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    before, key, seed, frame, root, logdir = ast.literal_eval(proc.stdout.strip().splitlines()[-1])
    assert before[0] >= 1 and before[1] >= 1  # they were on the chip before the wipe
    assert (key, seed, frame) == (0, 0, 0)
    assert root == ["log"] and logdir == ["state.bin"]


class _Writer:
    """The firmware appending on the port's filesystem; what it printed before it died."""

    def __init__(self, path):
        self.path = path
        self.digest = {}  # seq -> sha256 hex of the record last appended with it
        self.durable = 0

    def run_and_kill(self, seed, after_s):
        proc = subprocess.Popen(
            [micropython(), "-X", "heapsize=100K", "-m", "storage.crashtest", "--writer",
             self.path, "--seed", str(seed)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=dict(os.environ, MICROPYPATH=os.path.join(ROOT, "firmware")),
        )
        time.sleep(after_s)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        for line in out.decode(errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "A" and len(parts[2]) == 64:
                self.digest[int(parts[1])] = parts[2]
            elif len(parts) == 2 and parts[0] == "D" and parts[1].isdigit():
                self.durable = max(self.durable, int(parts[1]))


def _check(log, writer, host_acked):
    """Every durable record not yet at the host is there, unchanged, chain linked, once."""
    seqs = []
    prev = None
    for r in log.pending():
        seq = int.from_bytes(r[4:8], "little")
        assert hashlib.sha256(r).hexdigest() == writer.digest[seq], seq
        if prev is not None:
            assert r[40:] == hashlib.sha256(prev).digest()
        prev = r
        seqs.append(seq)
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))) if seqs else True
    first = seqs[0] if seqs else log.last_seq + 1
    assert first <= host_acked + 1  # nothing between the host's ack and the log
    assert log.last_seq >= writer.durable  # nothing durable lost
    return seqs


def test_sigkill_at_random_moments_then_exactly_once_at_the_host(live_server, tmp_path):
    from sqlalchemy import text

    from host.db.devices import register_device

    key = SigningKey(os.urandom(32))
    with live_server.session() as s:
        dev = register_device(s, key.public, "crash badge")
        dev_id = dev.device_id
    assert dev_id == device_id(key.public).hex()
    rnd = random.Random(5)
    writer = _Writer(str(tmp_path / "log"))
    host_acked = 0
    kills = 30
    for k in range(kills):
        writer.run_and_kill(k, rnd.uniform(0.05, 0.35))
        log = RecordLog(writer.path)
        _check(log, writer, host_acked)
        if k % 3 == 2:  # a sample of the kills: upload what is there to the real host
            up = Uploader(log, key, device_id(key.public), HttpUplink(live_server.url),
                          batch_size=200)
            up.flush(max_attempts=200)
            assert log.count() == 0, up.last_error
            host_acked = log.acked_seq
        log.close()
    log = RecordLog(writer.path)
    _check(log, writer, host_acked)
    Uploader(log, key, device_id(key.public), HttpUplink(live_server.url), batch_size=200).flush(
        max_attempts=200)
    assert log.count() == 0
    last = log.last_seq
    assert last >= writer.durable > 1000
    with live_server.session() as s:
        rows = s.execute(
            text(
                "SELECT seq, record_hash FROM fixes f JOIN devices d ON d.id = f.device_pk "
                "WHERE d.device_id = :d UNION ALL SELECT seq, record_hash FROM records r "
                "JOIN devices d ON d.id = r.device_pk WHERE d.device_id = :d"
            ),
            {"d": dev_id},
        ).all()
    seqs = sorted(r[0] for r in rows)
    assert seqs == list(range(1, last + 1))  # every record once: exactly once
    for seq, h in rows:
        assert bytes(h).hex() == writer.digest[seq]


def test_crashtest_command_prints_one_json_line():
    import sys

    exe = os.path.join(os.path.dirname(sys.executable), "visitproof")
    proc = subprocess.run([exe, "badge", "crashtest", "--kills", "20", "--seed", "3"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert list(out)[:4] == ["kills", "records_durable", "records_lost", "records_duplicated"]
    assert (out["kills"], out["records_lost"], out["records_duplicated"]) == (20, 0, 0)
    assert out["records_durable"] > 0


def test_crashtest_refuses_bad_arguments_with_a_reason():
    for args, reason in [(["--kills", "abc"], "--kills must be an integer, not 'abc'"),
                         (["--kills", "-1"], "--kills must be at least 1, not -1"),
                         (["--kills", "0"], "--kills must be at least 1, not 0"),
                         (["--kills"], "--kills needs a value"),
                         (["--kils", "5"], "unknown option --kils")]:
        proc = _mpy(["-m", "storage.crashtest", *args], timeout=60)
        assert proc.returncode == 2, (args, proc.stdout)
        assert proc.stdout.splitlines()[0] == "crashtest: " + reason


def test_crashtest_verdict_fails_on_any_broken_promise():
    from host.tools.crashtest import failures

    good = {"kills": 9, "records_lost": 0, "records_duplicated": 0, "chain_breaks": 0,
            "records_foreign": 0, "mount_failures": 0, "exactly_once": True}
    assert failures(good, 9) == []
    assert failures({**good, "mount_failures": 1, "kills": 4}, 9) == [
        "mount_failures=1", "kills=4 of 9 (the run stopped early)"]
    assert failures({**good, "exactly_once": False}, 9) == [
        "the host does not hold every durable record exactly once"]
