"""The badge application: GNSS fixes -> chained records in the log -> signed batches uploaded.

`FixRecorder.on_fix(fix)` is the GNSS reader's callback. For every valid fix with a known
UTC time, at most one per `min_interval_ms` of fix time, it packs a record continuing the
log's chain (seq = last_seq + 1, prev_hash = last_hash), appends it, and lets the uploader
decide whether a batch is due. A fix without a time is never logged (counted), nor an
invalid one. Nothing raises out of the loop because of bad input: it is counted.

`Badge(board, ...)` wires board + key + log + reader + uploader; `run()` pumps the GNSS
stream until it ends (the unix port) or forever (the ESP32), then uploads what is pending.
"""

import gc
import sys

from micropython import const
from storage.recordlog import LogFull, RecordLog, Thinned
from wire.record import (
    KIND_LOG_STATUS,
    LOG_STATUS_FMT,
    RECORD_SIZE,
    TIME_GNSS,
    pack_fix,
    pack_record,
)

from badge.uploader import Uploader

LOG_DIR = "log"
_CHUNK = const(256)
_IDLE_MS = const(20)


def _report(where, e):
    print("badge:", where, repr(e), file=sys.stderr)


_QUIET_EVERY = const(16)  # records between quiet points (gc + heap sample)
_EPOCH_JITTER_MS = const(100)  # receivers stamp 1 Hz epochs up to ~20 ms short; margin


class FixRecorder:
    def __init__(self, log, uploader=None, min_interval_ms=1000, on_quiet=None):
        self.log = log
        self.uploader = uploader
        self.min_interval_ms = min_interval_ms
        self._on_quiet = on_quiet  # called at quiet points: after an upload, every 16 records
        self._record = bytearray(RECORD_SIZE)
        self._last_ms = None  # fix time of the last logged record, ms since 1970
        self.fixes_read = 0
        self.fixes_invalid = 0
        self.fixes_untimed = 0
        self.fixes_thinned = 0
        self.records_signed = 0
        self.records_dropped = 0  # the log was full
        self.last_fix_seq = 0  # seq of the last fix record appended (check-ins cite it)
        self.errors = 0
        self.cells = None  # cellular.observe.CellReporter when a modem is fitted

    def on_fix(self, fix):
        self.fixes_read += 1
        try:
            self._record_fix(fix)
        except Exception as e:  # noqa: BLE001 - counted; the fix loop must keep running
            self.errors += 1
            _report("fix", e)

    def _record_fix(self, fix):
        if not fix.valid:
            self.fixes_invalid += 1
            return
        if fix.time_s is None:
            self.fixes_untimed += 1
            return
        t_ms = fix.time_s * 1000 + (fix.time_ms or 0)
        # Thin on fix time; a clock that steps back is recorded (the host judges it). Real
        # 1 Hz receivers stamp epochs 980..999 ms apart: allow that jitter, or every fifth
        # fix of an ordinary receiver would be thinned away.
        if (self._last_ms is not None
                and 0 <= t_ms - self._last_ms < self.min_interval_ms - _EPOCH_JITTER_MS):
            self.fixes_thinned += 1
            return
        log = self.log
        pack_fix(self._record, fix, log.last_seq + 1, log.last_hash)
        if self._append():
            self._last_ms = t_ms
            self.last_fix_seq = log.last_seq
        if getattr(log, "status_due", False):
            # what the log dropped or thinned reaches the host, stamped with this fix's time
            if self.append_record(KIND_LOG_STATUS, TIME_GNSS, fix.time_s, fix.time_ms,
                                  LOG_STATUS_FMT, *log.status()):
                log.status_sent()

    def append_record(self, kind, flags, time_s, time_ms, payload_fmt, *payload):
        """Log a record of another kind (check-in, anti-cheat event, cell observation, log
        status: wire.record's *_FMT) in the same chain; True when it was appended."""
        log = self.log
        pack_record(self._record, kind, flags, log.last_seq + 1, time_s, time_ms,
                    log.last_hash, payload_fmt, *payload)
        return self._append()

    def _append(self):
        try:
            self.log.append(self._record)
        except Thinned:  # the log's capacity policy (storage/recordlog.py)
            self.fixes_thinned += 1
            return False
        except LogFull:
            self.records_dropped += 1
            return False
        self.records_signed += 1
        if self.cells is not None and self.cells.due(self.log.count(), self.log.last_seq):
            self.cells.append_to(self)  # here, not inside the uploader: one record buffer
        outcome = None
        if self.uploader is not None:
            try:
                outcome = self.uploader.poll()
            except Exception as e:  # noqa: BLE001 - records stay in the log
                self.errors += 1
                _report("upload", e)
        if self._on_quiet is not None and (outcome or self.records_signed % _QUIET_EVERY == 0):
            self._on_quiet()
        return True


def pump(stream, reader, idle=None, stop=None):
    """Feed the stream to the reader until it ends; returns the bytes read.

    readinto() -> 0 ends the stream, None means nothing waiting (idle(ms) is called).
    """
    buf = bytearray(_CHUNK)
    mv = memoryview(buf)
    total = 0
    while stop is None or not stop():
        n = stream.readinto(buf)
        if n is None:
            if idle is not None:
                idle(_IDLE_MS)
            continue
        if not n:
            break
        total += n
        reader.feed(mv[:n])
    return total


def make_reader(on_fix):
    from gnss.nmea import NmeaReader

    return NmeaReader(on_fix)


# gnss.nmea.NmeaReader's counters of refused sentences (not `unknown`: valid, not decoded).
_NMEA_REJECT_COUNTERS = ("crc_fails", "no_checksum", "too_long", "non_printable", "truncated",
                         "bad_fields")


def nmea_rejected(reader):
    total = 0
    for name in _NMEA_REJECT_COUNTERS:
        total += getattr(reader, name, 0)
    return total


class Badge:
    def __init__(self, board, batch_size=60, min_interval_ms=1000, identity=None, batch=None):
        """identity: badge.identity.load_key()'s triple; batch: a wire.batch.BatchBuffer.
        Made here when None; better made first thing, while the heap is empty (unix_main)."""
        self.board = board
        if identity is None:
            from badge.identity import load_key

            identity = load_key(board.fs_root)
        gc.collect()
        self.log = RecordLog(board.fs_root + "/" + LOG_DIR)
        self.uploader = Uploader(self.log, identity[0], identity[2], board.uplink(), batch_size,
                                 batch=batch)
        self.recorder = FixRecorder(self.log, self.uploader, min_interval_ms, self.quiet)
        if getattr(board, "cell_reporter", None) is not None:
            self.recorder.cells = board.cell_reporter(batch_size)  # None without a modem
        from badge.checkin import CheckinDesk

        self.desk = CheckinDesk(self.recorder, board)
        self.reader = make_reader(self.desk.on_fix)
        self.pump_errors = 0
        self.key, self.public_key, self.device_id = identity

    def quiet(self):
        gc.collect()
        self.board.note_heap()

    def run(self, flush_attempts=5, stop=None):
        """Read the GNSS stream to its end, then upload what is pending; returns summary()."""
        stream = self.board.open_gnss()
        try:
            while True:
                try:
                    pump(stream, self.reader, self.board.idle_ms, stop)
                    break
                except OSError:
                    raise  # the stream itself failed: fatal for this run
                except Exception as e:  # noqa: BLE001 - bad input: count it, keep reading
                    self.pump_errors += 1
                    _report("gnss", e)
            self.reader.flush()
        finally:
            stream.close()
            self.log.sync()  # the end of the stream: every record durable
        self.quiet()
        self.uploader.flush(flush_attempts)
        self.quiet()
        return self.summary()

    def summary(self):
        r, u = self.recorder, self.uploader
        return {
            "fixes_read": r.fixes_read,
            "records_signed": r.records_signed,
            "records_uploaded": u.records_uploaded,
            "records_rejected": u.records_rejected,
            "records_pending": self.log.count(),
            "nmea_rejected": nmea_rejected(self.reader),
            "peak_heap_bytes": self.board.mem_peak(),
            "fixes_invalid": r.fixes_invalid,
            "fixes_untimed": r.fixes_untimed,
            "fixes_thinned": r.fixes_thinned,
            "upload_errors": u.upload_errors,
            "last_upload_error": u.last_error,
            "errors": r.errors + self.pump_errors,
            "cells_logged": r.cells.logged if r.cells else 0,
            "checkins": self.desk.checkins,
            "checkins_refused": self.desk.checkins_refused,
            "anticheat_events": self.desk.events,
        }
