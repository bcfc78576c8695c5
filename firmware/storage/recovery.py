"""Boot-time half of the record log (storage/recordlog.py): the key, state.bin and the
recovery scan of every segment. Imported by RecordLog() and unloaded when it has run."""

import hashlib
import os
import struct

from storage.recordlog import (
    ACK_PREFIX,
    FRAME_SIZE,
    KEY_FILE,
    STATE_FILE,
    STATE_FMT,
    STATE_MAGIC,
    STATE_SIZE,
    SUFFIX,
    crc32,
)


def _load_key(log):
    path = log._path(KEY_FILE)
    try:
        with open(path, "rb") as f:
            key = f.read()
        if len(key) == 32:
            return key
    except OSError:
        pass
    return log.new_key()


def _load_state(log):
    try:
        with open(log._path(STATE_FILE), "rb") as f:
            raw = f.read()
    except OSError:
        return
    if len(raw) != STATE_SIZE + 4 or struct.unpack_from("<I", raw, STATE_SIZE)[0] != crc32(
            raw, STATE_SIZE):
        log.recovery["state_bad"] = 1
        return
    (magic, log.acked_seq, log.last_seq, log.last_hash, log.dropped_records,
     log.thinned_fixes, log.boots, log._hole_hwm, log._reported,
     log.wiped) = struct.unpack_from(STATE_FMT, raw, 0)
    if magic != STATE_MAGIC:
        log.recovery["state_bad"] = 1


def _load_ack(log):
    """acked_seq from the newest ack_<seq> file (a FAT rename may have left two)."""
    for name in sorted(n for n in os.listdir(log.dir) if n.startswith(ACK_PREFIX)):
        try:
            seq = int(name[len(ACK_PREFIX):])
        except ValueError:
            continue
        if log._ack_name:
            os.remove(log._path(log._ack_name))
        log._ack_name = name
        log.acked_seq = max(log.acked_seq, seq)


def load(log):
    """Key, state and segments into log; the chain head; what the scan dropped."""
    log._key = _load_key(log)
    _load_state(log)
    _load_ack(log)
    names = sorted(n for n in os.listdir(log.dir) if n.endswith(SUFFIX))
    for name in names:
        try:
            first = int(name[:-len(SUFFIX)])
        except ValueError:
            continue
        if log._firsts and first <= log._firsts[-1] + log._slots[-1] - 1:
            # overlaps the previous segment: the previous one's slots end before it
            log._slots[-1] = first - log._firsts[-1]
        _scan(log, name, first)
    while log._firsts:
        top = log._firsts[-1] + log._slots[-1] - 1
        if top <= log.last_seq:
            break
        rec = log._read(top)
        if rec is not None:
            log.last_seq = top
            log.last_hash = hashlib.sha256(rec).digest()
            break
        # a frame whose CRC holds but which does not decrypt (another key): dropped
        log.recovery["frames_dropped"] += 1
        log._fresh_segment = True
        log._slots[-1] -= 1
        if not log._slots[-1]:
            os.remove(log._path(log._seg_name(log._firsts.pop())))
            log._slots.pop()
    _lost_between(log)
    log.durable_seq = log.last_seq
    new_holes = [s for s in log._holes if s > log._hole_hwm and s > log.acked_seq]
    if new_holes:
        log.dropped_records += len(new_holes)
        log._hole_hwm = max(new_holes)
    log._drop_acked_segments()
    log.boots += 1
    log._save_state()
    log._tier = log._tier_of(log._used_permille())
    if log._unreported() or log.wiped:
        log.status_due = True


def _lost_between(log):
    """Seqs no segment holds although later ones exist (a truncated segment): holes."""
    ends = [log._firsts[i] for i in range(1, len(log._firsts))] + [log.last_seq + 1]
    gap = 0
    if log._firsts and log._firsts[0] > log.acked_seq + 1:
        # lost before the oldest segment: never sendable, so counted once and skipped
        # (acked_seq moves past them) instead of listed as holes
        gap = log._firsts[0] - 1 - log.acked_seq
        log.recovery["frames_dropped"] += gap
        if log._firsts[0] - 1 > log._hole_hwm:
            log.dropped_records += log._firsts[0] - 1 - max(log._hole_hwm, log.acked_seq)
            log._hole_hwm = log._firsts[0] - 1
        log.acked_seq = log._firsts[0] - 1
    for i in range(len(log._firsts)):
        gap = 0
        for seq in range(max(log._firsts[i] + log._slots[i], log.acked_seq + 1), ends[i]):
            log._holes.append(seq)
            gap += 1
        log.recovery["frames_dropped"] += gap
    if not gap:  # the newest segment's torn tail: never durable
        log.recovery["frames_dropped"] += log._torn


def _scan(log, name, first):
    """Index one segment: the slots up to its last valid frame, holes, a torn tail."""
    frame = log._frame
    size = os.stat(log._path(name))[6]
    slots = size // FRAME_SIZE
    last_good = -1
    bad = []
    with open(log._path(name), "rb") as f:
        for i in range(slots):
            f.readinto(frame)
            if log._frame_ok(frame, first + i):
                last_good = i
            else:
                bad.append(first + i)
    tail = size - (last_good + 1) * FRAME_SIZE  # junk after the last valid frame
    dropped = len(bad) - (slots - 1 - last_good)  # holes before the last good frame
    log.recovery["bytes_dropped"] += tail
    torn = (tail + FRAME_SIZE - 1) // FRAME_SIZE
    log.recovery["frames_dropped"] += dropped
    log.recovery["segments"] += 1
    if last_good < 0:
        os.remove(log._path(name))  # nothing valid: a torn first append, or junk
        log._torn = torn  # counted by _lost_between when nothing durable was there
        return
    for s in bad[:dropped]:
        log._holes.append(s)
    log._firsts.append(first)
    log._slots.append(last_good + 1)
    log._fresh_segment = tail != 0
    log._torn = torn  # counted by _lost_between: a hole unless it is the newest
