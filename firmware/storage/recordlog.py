"""Append-only log of 72-byte protocol records, kept on the filesystem until the host acks them.

Layout in `dirpath`:
- segment files `<first_seq>.seg` (10 decimal digits, so names sort by seq), each up to
  SEGMENT_RECORDS records of 72 bytes, consecutive seqs, oldest first;
- `state.bin`: magic, acked_seq, last_seq, last_hash. Written only by ack(), atomically
  (write `state.tmp`, then rename over `state.bin`), so it survives a reboot at any moment.

Chain state after a restart: the newest full record in the segments gives last_seq and
last_hash; when every record has been acked and deleted, state.bin holds them.
A partial record at the end of the newest segment (a torn write) is ignored and appends
continue in a new segment.

Durability: append() returns after flush + fsync (CPython) or os.sync (MicroPython ports
that have it; the unix port's flush already fsyncs).

Capacity policy (placeholder until the power-loss-safe log issue): at most `max_records`
unacknowledged records (default 20000, 1.44 MB). When full, append() raises LogFull and the
caller counts the fix as dropped: the oldest evidence is kept, new fixes are refused until
an upload acks records. The later issue keeps this interface and adds per-record CRC,
torn-write detection and encryption at rest.
"""

import hashlib
import os
import struct

from micropython import const
from wire.record import RECORD_SIZE, SEQ_OFFSET

SEGMENT_RECORDS = const(128)
_STATE_FMT = "<4sII32s"
_STATE_MAGIC = b"VPL1"
_STATE = "state.bin"
_STATE_TMP = "state.tmp"
_SUFFIX = ".seg"


class LogFull(Exception):
    pass


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def makedirs(path):
    parts = path.split("/")
    cur = ""
    for i, part in enumerate(parts):
        cur = part if i == 0 else cur + "/" + part
        if cur and not _exists(cur):
            os.mkdir(cur)


def _durable(f):
    f.flush()
    if hasattr(os, "fsync"):
        os.fsync(f.fileno())
    elif hasattr(os, "sync"):
        os.sync()


class RecordLog:
    def __init__(self, dirpath, max_records=20000):
        self.dir = dirpath
        self.max_records = max_records
        self.acked_seq = 0
        self.last_seq = 0
        self.last_hash = bytes(32)
        # [first_seq, n_records] per segment file, oldest first
        self._segments = []
        self._file = None  # open handle of the segment appends go to
        self._torn = False
        makedirs(dirpath)
        self._load()

    # ---- opening ----
    def _path(self, name):
        return self.dir + "/" + name

    def _seg_name(self, first_seq):
        return "%010d%s" % (first_seq, _SUFFIX)

    def _load(self):
        state = self._path(_STATE)
        if _exists(state):
            with open(state, "rb") as f:
                magic, acked, last, last_hash = struct.unpack(_STATE_FMT, f.read())
            if magic != _STATE_MAGIC:
                raise OSError("record log state has a bad magic")
            self.acked_seq, self.last_seq, self.last_hash = acked, last, last_hash
        names = sorted(n for n in os.listdir(self.dir) if n.endswith(_SUFFIX))
        for name in names:
            first = int(name[:-len(_SUFFIX)])
            size = os.stat(self._path(name))[6]
            n = size // RECORD_SIZE
            if n:
                self._segments.append([first, n])
                # a torn tail: appends continue in a new segment (only the newest counts)
                self._torn = size % RECORD_SIZE != 0
            else:
                os.remove(self._path(name))
        if self._segments:
            first, n = self._segments[-1]
            if first + n - 1 > self.last_seq:
                last = self._read(first + n - 1)
                self.last_seq = first + n - 1
                self.last_hash = hashlib.sha256(last).digest()
        self._drop_acked_segments()

    # ---- reading ----
    def _read(self, seq):
        for first, n in self._segments:
            if first <= seq < first + n:
                with open(self._path(self._seg_name(first)), "rb") as f:
                    f.seek((seq - first) * RECORD_SIZE)
                    return f.read(RECORD_SIZE)
        return None

    def count(self):
        """Number of records not yet acknowledged by the host."""
        if not self._segments:
            return 0
        first = self._segments[0][0]
        return self.last_seq - max(first - 1, self.acked_seq)

    def first_pending_seq(self):
        return self.last_seq - self.count() + 1

    def read_into(self, mv, max_n):
        """Copy up to max_n oldest pending records into mv (72*max_n bytes); return how many."""
        want = min(max_n, self.count())
        seq = self.first_pending_seq()
        got = 0
        for first, n in self._segments:
            if got >= want:
                break
            if seq >= first + n:
                continue
            take = min(first + n - seq, want - got)
            with open(self._path(self._seg_name(first)), "rb") as f:
                f.seek((seq - first) * RECORD_SIZE)
                view = mv[got * RECORD_SIZE:(got + take) * RECORD_SIZE]
                if f.readinto(view) != take * RECORD_SIZE:
                    raise OSError("record log segment shorter than its index")
            got += take
            seq += take
        return got

    def peek(self, n):
        """The n oldest pending records as a list of 72-byte bytes (allocates; tests, tools)."""
        buf = bytearray(RECORD_SIZE * min(n, self.count()))
        got = self.read_into(memoryview(buf), n)
        return [bytes(buf[i * RECORD_SIZE:(i + 1) * RECORD_SIZE]) for i in range(got)]

    def pending(self):
        """Iterate the pending records oldest first, one 72-byte bytes at a time."""
        seq = self.first_pending_seq()
        while seq <= self.last_seq:
            rec = self._read(seq)
            if rec is None:
                return
            yield rec
            seq += 1

    # ---- writing ----
    def append(self, record):
        """Append one 72-byte record (seq last_seq+1); durable when it returns."""
        if len(record) != RECORD_SIZE:
            raise ValueError("record must be 72 bytes")
        seq = struct.unpack_from("<I", record, SEQ_OFFSET)[0]
        if seq != self.last_seq + 1:
            raise ValueError("record seq does not continue the log")
        if self.count() >= self.max_records:
            raise LogFull("record log holds %d unacknowledged records" % self.count())
        seg = self._segments[-1] if self._segments else None
        if seg is None or seg[1] >= SEGMENT_RECORDS or self._torn or seg[0] + seg[1] != seq:
            self._close()
            self._torn = False
            seg = [seq, 0]
            self._segments.append(seg)
        if self._file is None:
            self._file = open(self._path(self._seg_name(seg[0])), "ab")
        self._file.write(record)
        _durable(self._file)
        seg[1] += 1
        self.last_seq = seq
        self.last_hash = hashlib.sha256(record).digest()

    def ack(self, upto_seq):
        """The host holds every record <= upto_seq: forget them (segments deleted, head saved)."""
        upto_seq = min(upto_seq, self.last_seq)
        if upto_seq <= self.acked_seq:
            return 0
        before = self.count()
        self.acked_seq = upto_seq
        self._save_state()  # head first: a crash below leaves files that load() drops
        self._drop_acked_segments()
        return before - self.count()

    def _drop_acked_segments(self):
        while self._segments:
            first, n = self._segments[0]
            if first + n - 1 > self.acked_seq:
                break
            if len(self._segments) == 1:
                self._close()
            os.remove(self._path(self._seg_name(first)))
            self._segments.pop(0)

    def _save_state(self):
        tmp, dst = self._path(_STATE_TMP), self._path(_STATE)
        with open(tmp, "wb") as f:
            f.write(struct.pack(_STATE_FMT, _STATE_MAGIC, self.acked_seq, self.last_seq,
                                self.last_hash))
            _durable(f)
        try:
            os.rename(tmp, dst)
        except OSError:  # filesystems whose rename does not replace (FAT): not atomic
            os.remove(dst)
            os.rename(tmp, dst)

    def _close(self):
        if self._file is not None:
            self._file.close()
            self._file = None

    def close(self):
        self._close()
