"""Append-only log of 72-byte protocol records on flash, encrypted, kept until the host acks.

Files in `dirpath` (littlefs on the ESP32, a directory on the unix port):
- segment files `<first_seq>.seg` (10 digits, so names sort by seq), each up to
  SEGMENT_FRAMES frames of FRAME_SIZE bytes, consecutive seqs, oldest first;
- `ack_<seq>`: an empty file whose name is the host's last ack, renamed on each ack (one
  atomic metadata commit, cheaper on flash than rewriting a file);
- `state.bin` (+ CRC): the chain head and the counters reported in the kind-5 "log
  status" record, written at boot and with each status record (not per ack: wear).
  Written as `state.tmp` then renamed over `state.bin` (atomic on littlefs and POSIX): a
  power cut leaves the old or the new one;
- `log.key`: the badge's 32-byte random AES-256 key for this log (tmp + rename). It
  sits in the same filesystem as the segments: the encryption keeps positions out of
  the segment files, not from someone who dumps the whole chip, unless the ESP32's
  flash encryption is enabled at provisioning (not done by this firmware yet).

Frame (96 bytes, `<BBHII` + 80 + `<I`): marker 0xA7, frame version 1, ciphertext length
80, seq, a random 32-bit nonce, AES-256-CBC(record + 8 zero bytes) with
IV = SHA-256(key | seq | nonce)[:16] (unpredictable without the key), CRC-32 of bytes
0..92. The IV is unique per frame even when a seq is written again after a cut lost it
(new nonce). CBC is in MicroPython's cryptolib on every ESP32 build (CTR is optional). The CRC finds
torn and flipped frames; after decryption the record's own seq and the zero pad must
match, and the hash chain (SHA-256 of the 72 plaintext bytes) is checked by the host as
before: encryption is only at rest, read_into() hands out plaintext.

Recovery at boot scans every frame: a frame failing its CRC, marker or seq is dropped; the
frames after it in a segment are kept (fixed-size slots). A torn tail of the newest
segment (an append the cut caught) is dropped and appends continue in a new segment.
`recovery` holds what the last scan dropped. The chain head (last_seq, last_hash) comes
from the newest valid frame (the newest segment is never deleted, even when acked), or
from state.bin when a newer head is recorded there.
Lost durable records in the middle (a bit flip) are counted once in `dropped_records`.

Durability (flush policy). append() writes the frame into the open segment: on littlefs
the data is in the file's cache and uncommitted blocks, invisible after a power cut until
the file is synced; append() returns True only when the record is durable. sync()
commits the file (littlefs's sync is atomic: all synced frames or the previous state) and
sets durable_seq = last_seq. The log syncs by itself
- every SYNC_EVERY (16) records: at the default 1 fix/s at most 16 s of fixes are at risk
  in a power cut, which the hash chain survives (they were never reported to anyone);
- at once for a check-in (kind 2), an anti-cheat event (3) and a log status (5): the badge
  reports a check-in as stored only when append() returned True;
- before read_into() (nothing that was not durable ever leaves the badge) and before ack().
Why not a sync per fix: littlefs cannot append to a block after a sync; the next append
copies the synced part of the tail block into a freshly erased one (lfs_ctz_extend), so a
sync per record costs one 4 KB erase and up to 4 KB programmed per 96-byte record, and
the radio-off CPU time of that copy. At 16 records per sync the copy happens once per
1.5 KB of records (bench/storage.py measures the bytes and erases per fix).

Capacity (days without signal). Assumed partition: ESP32 4 MB flash, MicroPython's default
`vfs` littlefs partition of 2 MiB; the log is given 1.5 MiB of it (the rest: firmware .mpy
files, keys, configuration, radio-map cache, littlefs's spare blocks). A segment of 85
frames (8160 bytes) fills two 4 KB blocks, so MAX_RECORDS = 192 segments x 85 = 16320
records. At the default rate of 1 fix/s and an 8-hour working day (28800 fixes) the log
holds 0.57 day at full rate, so fixes (kind 1) and cell observations (kind 4) are thinned
by fill level, from the record's own time_s:
  fill < 50 %: every record                 8160 records = 2.3 h at 1/s
  50..75 %:   at most one per 10 s          4080 records = 11.3 h
  75..90 %:   at most one per 60 s          2448 records = 40.8 h
  90..97 %:   at most one per 300 s         1143 records = 95.25 h
  >= 97 %:    no fixes; the last 489 slots are kept for check-ins, anti-cheat events
              and log status records, which are never thinned
(a tier starts at the first count whose permille, count * 1000 // 16320, reaches it:
8160, 12240, 14688, 15831 records.) Sum: 149.65 h = 18.7 working days of 8 h without
signal before fixes stop, and check-ins keep being stored after that (489 of them).
Only at 100 % is anything refused (LogFull, counted in dropped_records). Thinned fixes
raise Thinned (a LogFull): the caller counts them. The counters reach the host in a
kind-5 record: `status_due` says when one is owed, `status()` gives its payload,
`status_sent()` persists the counters.

Wipe on command: storage/wipe.py.
"""

import binascii
import hashlib
import os
import struct

import cryptolib
from micropython import const
from wire.record import RECORD_SIZE, SEQ_OFFSET

FRAME_SIZE = const(96)
SEGMENT_FRAMES = const(85)
SEGMENT_RECORDS = SEGMENT_FRAMES  # the former name
MAX_RECORDS = const(16320)
SYNC_EVERY = const(16)
_CIPHER_LEN = const(80)
_CT = const(12)  # ciphertext offset in a frame
_CRC_AT = const(92)
_MARKER = const(0xA7)
_FRAME_VER = const(1)
_HEAD_FMT = "<BBHII"
_MODE_CBC = const(2)
STATE_FMT = "<4sII32sIIIIIB3x"
STATE_SIZE = const(80)  # struct.calcsize(STATE_FMT)
STATE_MAGIC = b"VPL2"
STATE_FILE = "state.bin"
KEY_FILE = "log.key"
SUFFIX = ".seg"
ACK_PREFIX = "ack_"
_STATUS_EVERY = const(64)  # dropped + thinned between two status records
# (fill permille from which, least seconds between two kept fixes); None: no fixes
THIN_TIERS = ((970, None), (900, 300), (750, 60), (500, 10))
_NEVER_THINNED = (2, 3, 5)  # check-in, anti-cheat event, log status


class LogFull(Exception):
    pass


class Thinned(LogFull):
    """A fix (or cell observation) left out by the capacity policy: not an error."""


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


def durable(f):
    f.flush()
    if hasattr(os, "fsync"):  # CPython; littlefs and the unix port commit on flush
        os.fsync(f.fileno())


def crc32(buf, n):
    return binascii.crc32(memoryview(buf)[:n]) & 0xFFFFFFFF


def write_atomic(path, data):
    """Write data to path.tmp, sync, rename over path (a cut leaves the old or the new)."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        durable(f)
    try:
        os.rename(tmp, path)
    except OSError:  # filesystems whose rename does not replace (FAT): not atomic
        os.remove(path)
        os.rename(tmp, path)


class RecordLog:
    def __init__(self, dirpath, max_records=MAX_RECORDS, sync_every=SYNC_EVERY):
        self.dir = dirpath
        self.max_records = max_records
        self.sync_every = sync_every
        self.acked_seq = 0
        self.last_seq = 0
        self.last_hash = bytes(32)
        self.durable_seq = 0
        # counters of the kind-5 status record (persisted in state.bin)
        self.dropped_records = 0
        self.thinned_fixes = 0
        self.boots = 0
        self.wiped = 0
        self._hole_hwm = 0  # holes with a seq up to this were counted already
        self._reported = 0  # dropped + thinned in the last status record
        self._tier = 0
        self._last_kept_s = None  # time_s of the last fix kept while thinning
        self.status_due = False
        self.recovery = {"frames_dropped": 0, "bytes_dropped": 0, "segments": 0}
        # per segment file, oldest first: first seq, frame slots up to the last valid frame
        self._firsts = []
        self._slots = []
        self._holes = []  # seqs of slots whose frame did not verify
        self._file = None
        self._fresh_segment = False  # the newest segment ends in junk: start a new one
        self._torn = 0
        self._ack_name = None  # the empty file whose name holds acked_seq
        self._frame = bytearray(FRAME_SIZE)
        self._plain = bytearray(_CIPHER_LEN)
        makedirs(dirpath)
        from badge import unload

        from storage import recovery  # boot-time code: unloaded once it has run

        recovery.load(self)
        unload("storage.recovery")

    # ---- opening -----------------------------------------------------------------------
    def _path(self, name):
        return self.dir + "/" + name

    def _seg_name(self, first_seq):
        return "%010d%s" % (first_seq, SUFFIX)

    def _frame_ok(self, frame, seq):
        if frame[0] != _MARKER or frame[1] != _FRAME_VER:
            return False
        if struct.unpack_from("<I", frame, _CRC_AT)[0] != crc32(frame, _CRC_AT):
            return False
        return struct.unpack_from("<I", frame, 4)[0] == seq

    # ---- crypto ------------------------------------------------------------------------
    def new_key(self):
        """A fresh random AES-256 key for this log, written to log.key (tmp + rename)."""
        self._key = bytes(os.urandom(32))
        write_atomic(self._path(KEY_FILE), self._key)
        return self._key

    def _cbc(self, seq, nonce):
        if self._key is None:  # wiped: the first record after the wipe gets a new key
            self.new_key()
        h = hashlib.sha256(self._key)
        h.update(struct.pack("<II", seq, nonce))
        return cryptolib.aes(self._key, _MODE_CBC, h.digest()[:16])

    def _decrypt(self, frame, out):
        """Plaintext record of a verified frame into out[0:72]; False when it does not match."""
        seq, nonce = struct.unpack_from("<II", frame, 4)
        self._cbc(seq, nonce).decrypt(memoryview(frame)[_CT:_CRC_AT], self._plain)
        plain = self._plain
        if struct.unpack_from("<I", plain, SEQ_OFFSET)[0] != seq or any(plain[RECORD_SIZE:]):
            return False
        out[:RECORD_SIZE] = memoryview(plain)[:RECORD_SIZE]
        return True

    # ---- reading -----------------------------------------------------------------------
    def _segment_of(self, seq):
        for i in range(len(self._firsts)):
            first = self._firsts[i]
            if first <= seq < first + self._slots[i]:
                return i
        return -1

    def _read(self, seq):
        """The plaintext record seq (bytes), or None when it is not in the log or corrupt."""
        i = self._segment_of(seq)
        if i < 0 or seq in self._holes:
            return None
        out = bytearray(RECORD_SIZE)
        with open(self._path(self._seg_name(self._firsts[i])), "rb") as f:
            f.seek((seq - self._firsts[i]) * FRAME_SIZE)
            f.readinto(self._frame)
        if not self._frame_ok(self._frame, seq) or not self._decrypt(self._frame, out):
            return None
        return bytes(out)

    def count(self):
        """Number of records not yet acknowledged by the host (holes excluded)."""
        if not self._firsts:
            return 0
        first = max(self._firsts[0], self.acked_seq + 1)
        return self.last_seq - first + 1 - sum(1 for s in self._holes if s >= first)

    def first_pending_seq(self):
        seq = self.acked_seq + 1
        if self._firsts and self._firsts[0] > seq:
            seq = self._firsts[0]
        while seq in self._holes:
            seq += 1
        return seq

    def read_into(self, mv, max_n):
        """Copy up to max_n oldest pending records (plaintext) into mv; return how many.

        Syncs first. Stops before a hole: a batch is always a run of consecutive seqs."""
        self.sync()
        seq = self.first_pending_seq()
        got = 0
        f = None
        seg = -1
        try:
            while got < max_n and seq <= self.last_seq and seq not in self._holes:
                i = self._segment_of(seq)
                if i < 0:
                    break
                if i != seg:
                    if f is not None:
                        f.close()
                    f = open(self._path(self._seg_name(self._firsts[i])), "rb")
                    f.seek((seq - self._firsts[i]) * FRAME_SIZE)
                    seg = i
                if f.readinto(self._frame) != FRAME_SIZE or not self._frame_ok(self._frame, seq):
                    break
                if not self._decrypt(self._frame, mv[got * RECORD_SIZE:(got + 1) * RECORD_SIZE]):
                    break
                got += 1
                seq += 1
        finally:
            if f is not None:
                f.close()
        return got

    def peek(self, n):
        """The n oldest pending records as a list of 72-byte bytes (allocates; tests, tools)."""
        buf = bytearray(RECORD_SIZE * max(0, min(n, self.count())))
        got = self.read_into(memoryview(buf), n)
        return [bytes(buf[i * RECORD_SIZE:(i + 1) * RECORD_SIZE]) for i in range(got)]

    def pending(self):
        """Iterate the readable pending records oldest first, one 72-byte bytes at a time."""
        self.sync()
        seq = self.first_pending_seq()
        while seq <= self.last_seq:
            if seq not in self._holes:
                rec = self._read(seq)
                if rec is not None:
                    yield rec
            seq += 1

    # ---- writing -----------------------------------------------------------------------
    def _used_permille(self):
        return self._used() * 1000 // self.max_records

    def _used(self):
        """Records that take room: all slots but the acked ones of the newest segment
        (kept for its chain head; appends fill it further)."""
        if not self._firsts:
            return 0
        acked_in_newest = min(self.acked_seq, self.last_seq) - self._firsts[-1] + 1
        return sum(self._slots) - max(0, acked_in_newest)

    def _tier_of(self, permille):
        for n, (at, _gap) in enumerate(THIN_TIERS):
            if permille >= at:
                return len(THIN_TIERS) - n
        return 0

    def _thin(self, record):
        """True when the capacity policy leaves this record out (fixes and cells only)."""
        permille = self._used_permille()
        tier = self._tier_of(permille)
        if tier != self._tier:
            self._tier = tier
            if self.thinned_fixes + self.dropped_records:
                self.status_due = True
        if tier == 0 or record[1] in _NEVER_THINNED:
            return False
        gap = THIN_TIERS[len(THIN_TIERS) - tier][1]
        t = struct.unpack_from("<I", record, 8)[0]
        if gap is not None and (self._last_kept_s is None or not
                                0 <= t - self._last_kept_s < gap):
            self._last_kept_s = t
            return False
        return True

    def append(self, record):
        """Append one 72-byte record (seq last_seq + 1). True: durable on return; False:
        appended, durable at the next sync(). Raises Thinned (a fix the capacity policy
        leaves out) or LogFull (no room at all); both are counted here."""
        if len(record) != RECORD_SIZE:
            raise ValueError("record must be 72 bytes")
        seq = struct.unpack_from("<I", record, SEQ_OFFSET)[0]
        if seq != self.last_seq + 1:
            raise ValueError("record seq does not continue the log")
        if self._thin(record):
            self.thinned_fixes += 1
            self._note_unreported()
            raise Thinned("fix thinned at %d permille" % self._used_permille())
        if self._used() >= self.max_records:
            self.dropped_records += 1
            self._note_unreported()
            raise LogFull("record log full: %d records on flash" % self._used())
        n = len(self._firsts)
        if (not n or self._slots[-1] >= SEGMENT_FRAMES or self._fresh_segment
                or self._firsts[-1] + self._slots[-1] != seq):
            self._close()
            self._fresh_segment = False
            self._firsts.append(seq)
            self._slots.append(0)
        if self._file is None:
            self._file = open(self._path(self._seg_name(self._firsts[-1])), "ab")
        frame = self._frame
        nonce = struct.unpack("<I", os.urandom(4))[0]
        struct.pack_into(_HEAD_FMT, frame, 0, _MARKER, _FRAME_VER, _CIPHER_LEN, seq, nonce)
        plain = self._plain
        plain[:RECORD_SIZE] = record
        for i in range(RECORD_SIZE, _CIPHER_LEN):
            plain[i] = 0
        self._cbc(seq, nonce).encrypt(plain, memoryview(frame)[_CT:_CRC_AT])
        struct.pack_into("<I", frame, _CRC_AT, crc32(frame, _CRC_AT))
        self._file.write(frame)
        self._slots[-1] += 1
        self.last_seq = seq
        self.last_hash = hashlib.sha256(record).digest()
        if record[1] in _NEVER_THINNED or seq - self.durable_seq >= self.sync_every:
            self.sync()
            return True
        return False

    def sync(self):
        """Make every appended record durable; returns durable_seq."""
        if self._file is not None and self.durable_seq != self.last_seq:
            durable(self._file)
        self.durable_seq = self.last_seq
        return self.durable_seq

    def ack(self, upto_seq):
        """The host holds every record <= upto_seq: forget them (whole segments deleted)."""
        upto_seq = min(upto_seq, self.last_seq)
        if upto_seq <= self.acked_seq:
            return 0
        self.sync()
        before = self.count()
        # acked_seq lives in an empty file's name: one rename (one metadata commit, atomic)
        # per ack instead of a state.bin rewrite; a cut leaves the old name or the new
        name = "%s%010d" % (ACK_PREFIX, upto_seq)
        if self._ack_name:
            os.rename(self._path(self._ack_name), self._path(name))
        else:
            with open(self._path(name), "wb"):
                pass
        self._ack_name = name
        self.acked_seq = upto_seq
        self._drop_acked_segments()
        return before - self.count()

    def _drop_acked_segments(self):
        # The newest segment stays even when acked: it holds the chain head, so that an
        # ack writes no state.bin (flash wear).
        while len(self._firsts) > 1:
            first = self._firsts[0]
            if first + self._slots[0] - 1 > self.acked_seq:
                break
            os.remove(self._path(self._seg_name(first)))
            self._firsts.pop(0)
            self._slots.pop(0)
        last = self._firsts[0] if self._firsts else self.last_seq + 1
        self._holes = [s for s in self._holes if s >= last]

    def _save_state(self):
        self.sync()  # the head saved must be durable in the segments too
        buf = bytearray(STATE_SIZE + 4)
        struct.pack_into(STATE_FMT, buf, 0, STATE_MAGIC, self.acked_seq, self.last_seq,
                         self.last_hash, self.dropped_records, self.thinned_fixes, self.boots,
                         self._hole_hwm,
                         self._reported, self.wiped)
        struct.pack_into("<I", buf, STATE_SIZE, crc32(buf, STATE_SIZE))
        write_atomic(self._path(STATE_FILE), buf)

    # ---- status (kind 5) ---------------------------------------------------------------
    def _unreported(self):
        return self.dropped_records + self.thinned_fixes - self._reported

    def _note_unreported(self):
        if self._reported == 0 or self._unreported() >= _STATUS_EVERY:
            self.status_due = True

    def status(self):
        """Payload of a kind-5 record (wire.record.LOG_STATUS_FMT): dropped_records,
        thinned_fixes, boots, used_permille, wiped, 0."""
        return (self.dropped_records, self.thinned_fixes, self.boots,
                min(1000, self._used_permille()), self.wiped, 0)

    def status_sent(self):
        """The status record is in the log: remember what it reported."""
        self._reported = self.dropped_records + self.thinned_fixes
        self.status_due = False
        self.wiped = 0
        self._save_state()

    def reset_after_wipe(self):
        """After storage.wipe erased every file: an empty log with wiped=1 and no key (a
        new one is made by the first append, never the all-zero key)."""
        self._key = None
        self._firsts, self._slots, self._holes = [], [], []
        self.acked_seq = self.last_seq = self.durable_seq = 0
        self.last_hash = bytes(32)
        self.dropped_records = self.thinned_fixes = self.boots = 0
        self._hole_hwm = self._reported = 0
        self.wiped = 1
        self._save_state()

    def _close(self):
        if self._file is not None:
            self._file.close()
            self._file = None

    def close(self):
        self.sync()
        self._close()
