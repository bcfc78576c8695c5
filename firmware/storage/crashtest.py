"""Power-cut test of the record log on littlefs over an emulated NOR flash (unix port only).

    micropython -X heapsize=4M -m storage.crashtest --kills 500 [--seed 1] [--blocks 64]

Prints one JSON line: kills, records_durable, records_lost, records_duplicated, and detail
counters. The badge's life in a loop: boot (mount, RecordLog recovery), check the log
against what the firmware was told, then a random mix of append (fixes and check-ins),
sync, upload + ack (whole segments truncated) until the power is cut at a random block
operation. A model host takes the uploads: it stores a record only if it continues its
chain, counts a re-sent record as a duplicate only if its bytes differ (a reused seq).

After every cut, at the next boot:
- records_lost: a record reported durable (append() -> True, or sync() returned) that is
  not in the log and not at the host, or whose bytes changed;
- records_duplicated: a seq the host already holds arriving with other bytes, or a seq
  the log hands out twice;
- chain_breaks: pending records whose prev_hash does not link.
At the end everything is uploaded: the host must hold 1..N once each (exactly once).
"""

import binascii
import hashlib
import json
import random
import struct
import sys

import vfs

from storage.norflash import NorFlash
from storage.recordlog import LogFull, RecordLog

MOUNT = "/flash"
_WINDOW = 4096  # more than a log of max_records can re-send
_FIX = "<BBHIIHiiiHHHHBBBBBB32s"


class ModelHost:
    """Stores records that continue its chain; what protocol-v1's host does, in short."""

    def __init__(self):
        self.seq = 0
        self.head = bytes(32)
        # 8 bytes of each stored record's SHA-256, for the newest _WINDOW seqs (a ring)
        self.digests = bytearray(8 * _WINDOW)
        self.stored = 0
        self.duplicated = 0
        self.chain_breaks = 0

    def holds(self, seq, d):
        i = (seq % _WINDOW) * 8
        return self.seq - seq >= _WINDOW or self.digests[i:i + 8] == d[:8]

    def take(self, records):
        for r in records:
            seq = struct.unpack_from("<I", r, 4)[0]
            d = hashlib.sha256(r).digest()
            if seq <= self.seq:
                if not self.holds(seq, d):
                    self.duplicated += 1  # same seq, other bytes: a reused sequence number
                continue
            if seq != self.seq + 1 or r[40:72] != self.head:
                self.chain_breaks += 1
                return self.seq
            i = (seq % _WINDOW) * 8
            self.digests[i:i + 8] = d[:8]
            self.stored += 1
            self.seq, self.head = seq, d
        return self.seq


class Badge:
    """What the firmware was told: durable seqs and their bytes, appended-not-yet-durable."""

    def __init__(self):
        self.durable = {}  # seq -> digest, reported durable, not yet at the host
        self.maybe = {}  # seq -> digest, appended, not yet durable
        self.durable_max = 0
        self.boot = 0


def _record(seq, prev, boot, kind):
    lat = 311234567 + seq * 37
    lon = 1214567890 - seq * 41
    if kind == 2:
        r = bytearray(72)
        struct.pack_into("<BBHIIH", r, 0, 1, 2, 1, seq, 1700000000 + seq, 0)
        struct.pack_into("<IiiHIBB6x", r, 14, seq, lat, lon, 10, seq - 1, 0, 0)
        r[40:72] = prev
        return bytes(r)
    return struct.pack(_FIX, 1, 1, 37, seq, 1700000000 + seq, 0, lat, lon, boot, 5, 120,
                       9000, 9, 1, 3, 9, 14, 44, 33, prev)


def _promote(badge, upto):
    for s in list(badge.maybe):
        if s <= upto:
            badge.durable[s] = badge.maybe.pop(s)
    badge.durable_max = max(badge.durable_max, upto)


def _check(log, badge, host, out):
    """After a boot: durable records present and unchanged, chain linked, none twice."""
    expect_prev = None
    seen = set()
    for r in log.pending():
        seq = struct.unpack_from("<I", r, 4)[0]
        d = hashlib.sha256(r).digest()
        if seq in seen:
            out["records_duplicated"] += 1
        seen.add(seq)
        if expect_prev is not None and r[40:72] != expect_prev:
            out["chain_breaks"] += 1
        expect_prev = d
        if seq <= host.seq:  # the host has it, the log's ack was cut: it must match
            if not host.holds(seq, d):
                out["records_lost"] += 1
        elif seq in badge.durable and badge.durable[seq] != d:
            out["records_lost"] += 1  # a durable record came back with other bytes
        elif seq not in badge.durable:
            if badge.maybe.get(seq) == d:
                badge.durable[seq] = d  # survived the cut: durable from now on
                badge.durable_max = max(badge.durable_max, seq)
            else:
                out["records_foreign"] += 1
    for seq in list(badge.durable):
        if seq <= host.seq:
            del badge.durable[seq]
        elif seq not in seen:
            out["records_lost"] += 1
            del badge.durable[seq]
    badge.maybe = {}


def _upload(log, host, batch):
    mv = memoryview(batch)
    n = log.read_into(mv, len(batch) // 72)
    recs = [bytes(mv[i * 72:(i + 1) * 72]) for i in range(n)]
    return host.take(recs), n


def _workload(log, badge, host, batch, out):
    """Random operations until the power is cut (OSError once the chip is dead)."""
    while True:
        op = random.getrandbits(8)
        if op < 200:
            seq = log.last_seq + 1
            kind = 2 if op < 12 else 1
            r = _record(seq, log.last_hash, badge.boot, kind)
            badge.maybe[seq] = hashlib.sha256(r).digest()  # a cut inside append may keep it
            try:
                durable = log.append(r)
            except LogFull:
                del badge.maybe[seq]
                out["appends_refused"] += 1
                continue
            out["appends"] += 1
            if durable:
                _promote(badge, seq)
        elif op < 215:
            _promote(badge, log.sync())
            out["syncs"] += 1
        else:
            _promote(badge, log.sync())  # read_into syncs before it reads: say so first
            ack, n = _upload(log, host, batch)
            log.ack(ack)
            for s in [s for s in badge.durable if s <= ack]:
                del badge.durable[s]
            out["acks"] += 1


def run(kills, seed=1, blocks=64, max_records=1200):
    random.seed(seed)
    dev = NorFlash(blocks)
    vfs.VfsLfs2.mkfs(dev)
    badge, host = Badge(), ModelHost()
    batch = bytearray(72 * 60)
    out = {"kills": 0, "records_durable": 0, "records_lost": 0, "records_duplicated": 0,
           "chain_breaks": 0, "records_foreign": 0, "appends": 0, "appends_refused": 0,
           "syncs": 0, "acks": 0, "cuts_in_recovery": 0, "frames_dropped_at_boot": 0,
           "mount_failures": 0}
    for i in range(kills + 1):
        dev.revive()
        try:
            fs = vfs.VfsLfs2(dev)
        except OSError:
            out["mount_failures"] += 1
            break
        vfs.mount(fs, MOUNT)
        badge.boot += 1
        last = i == kills
        if not last:
            dev.arm(1 + random.getrandbits(9))
        log = None
        try:
            log = RecordLog(MOUNT + "/log", max_records=max_records)
            out["frames_dropped_at_boot"] += log.recovery["frames_dropped"]
            _check(log, badge, host, out)
            if last:
                while log.count():
                    ack, n = _upload(log, host, batch)
                    log.ack(ack)
                    if not n:
                        break
            else:
                _workload(log, badge, host, batch, out)
        except OSError:
            if not dev.dead:
                raise
            out["kills"] += 1
            if log is None:
                out["cuts_in_recovery"] += 1
        vfs.umount(MOUNT)
    out["records_durable"] = badge.durable_max
    out["host_records"] = host.stored
    out["records_duplicated"] += host.duplicated
    out["chain_breaks"] += host.chain_breaks
    # exactly once: the host holds 1..N, N = the newest durable record, each once
    out["exactly_once"] = host.seq == out["host_records"] and host.seq >= badge.durable_max
    out["erases_max_block"] = max(dev.erases)
    return out


def writer(path, seed):
    """The SIGKILL test's badge: appends to the log in `path` (the port's own filesystem)
    until killed. Prints "A seq sha256hex" before each append and "D seq" each time the
    log says records up to seq are durable: what the killer may hold it to."""
    random.seed(seed)
    log = RecordLog(path)
    print("B", log.last_seq)
    while True:
        op = random.getrandbits(8)
        if op < 240:
            seq = log.last_seq + 1
            r = _record(seq, log.last_hash, log.boots, 2 if op < 12 else 1)
            print("A", seq, binascii.hexlify(hashlib.sha256(r).digest()).decode())
            try:
                if log.append(r):
                    print("D", seq)
            except LogFull:
                print("F", seq)
        else:
            print("D", log.sync())


_USAGE = "usage: storage.crashtest --kills N [--seed S] [--blocks B] | --writer DIR [--seed S]"


def _args(argv):
    """Options as strings, the numbers checked; ValueError naming what was wrong."""
    opts = {"--kills": "500", "--seed": "1", "--blocks": "64", "--writer": ""}
    if len(argv) % 2:
        raise ValueError("%s needs a value\n%s" % (argv[-1], _USAGE))
    for i in range(0, len(argv), 2):
        if argv[i] not in opts:
            raise ValueError("unknown option %s\n%s" % (argv[i], _USAGE))
        opts[argv[i]] = argv[i + 1]
    for name, least in (("--kills", 1), ("--seed", None), ("--blocks", 16)):
        try:
            n = int(opts[name])
        except ValueError:
            raise ValueError("%s must be an integer, not %r" % (name, opts[name])) from None
        if least is not None and n < least:
            raise ValueError("%s must be at least %d, not %d" % (name, least, n))
    return opts


if __name__ == "__main__":
    try:
        o = _args(sys.argv[1:])
    except ValueError as e:
        print("crashtest:", e)
        sys.exit(2)
    if o["--writer"]:
        writer(o["--writer"], int(o["--seed"]))
    else:
        print(json.dumps(run(int(o["--kills"]), int(o["--seed"]), int(o["--blocks"]))))
