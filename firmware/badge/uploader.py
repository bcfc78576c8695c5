"""Sends the log's pending records to the host as signed batches and acks what the host holds.

The uplink is any object with `post(path, body) -> (status, dict)` that raises OSError on a
network failure: badge.http.HttpUplink today, the cellular modem's HTTP stack later.
Answers follow docs/protocol-v1.md:
- 200 {"ack_seq"}: delete records <= ack_seq;
- 409 {"ack_seq", "error"}: resynchronise (delete records <= ack_seq), try again;
- other 4xx: the batch is refused; its records are counted in records_rejected and kept;
- 5xx, a network error or an unreadable answer: nothing is deleted, retry after a backoff.
Records leave the log only on the host's ack_seq; every attempt gets a fresh nonce.
"""

import gc
import sys
from time import sleep_ms, ticks_diff, ticks_ms

from micropython import const
from wire.batch import BatchBuffer

BATCH_PATH = "/api/v1/batches"
_BACKOFF_MIN_MS = const(1000)
_BACKOFF_MAX_MS = const(300000)

# outcomes of one attempt
SENT = "sent"
RESYNC = "resync"
REJECTED = "rejected"
STALLED = "stalled"  # 200 whose ack_seq does not cover the batch's first record
RETRY = "retry"
EMPTY = "empty"


def _log(*args):
    print("uploader:", *args, file=sys.stderr)


class Uploader:
    def __init__(self, log, signer, device_id, uplink, batch_size=60, nonce=None,
                 clock_ms=ticks_ms, sleep=sleep_ms, path=BATCH_PATH, batch=None, compact=True):
        self.log = log
        self.signer = signer
        self.device_id = device_id
        self.uplink = uplink
        self.batch_size = batch_size
        self.path = path
        self.compact = compact  # send the compact record encoding (wire.compact)
        self._nonce = nonce  # None: os.urandom(8) per attempt; tests inject a function
        self._clock = clock_ms
        self._sleep = sleep
        # batch: a preallocated BatchBuffer for >= batch_size records (allocated early by
        # the caller to keep the heap unfragmented), else made here.
        if batch is None or batch.max_records < batch_size:
            batch = BatchBuffer(batch_size)
        self._batch = batch
        self._backoff_ms = 0
        self._failed_at = 0
        self._rejected_upto = 0  # highest seq already counted in records_rejected
        self._hold_until = 0  # after a refusal, wait for this many pending records
        self.records_uploaded = 0
        self.records_rejected = 0
        self.batches_sent = 0
        self.bytes_sent = 0  # upload bodies, all attempts
        self.upload_errors = 0
        self.last_error = None

    def poll(self):
        """Called after each append: uploads when a full batch waits and no backoff runs."""
        n = self.log.count()
        if self.uplink is None or n < self.batch_size or n < self._hold_until:
            return None
        if self._backoff_ms and ticks_diff(self._clock(), self._failed_at) < self._backoff_ms:
            return None
        return self.upload_once()

    def upload_once(self):
        """One attempt with up to batch_size of the oldest pending records."""
        if self.uplink is None:
            return RETRY
        count = self.log.read_into(self._batch.records_view(self.batch_size), self.batch_size)
        if not count:
            return EMPTY
        first = self.log.first_pending_seq()
        nonce = self._nonce() if self._nonce else None
        gc.collect()  # signing and the socket need the heap in one piece
        try:
            body = self._batch.seal(count, self.device_id, self.signer, nonce, self.compact)
        except MemoryError:
            # a heap too fragmented to sign now: back off like a network failure (the
            # records stay in the log), instead of retrying at once on every fix
            gc.collect()
            return self._transient("memory: cannot sign %d records now" % count)
        gc.collect()
        self.bytes_sent += len(body)
        try:
            status, answer = self.uplink.post(self.path, body)
        except OSError as e:
            return self._transient("network: %r" % (e,))
        if not isinstance(answer, dict):
            answer = {}
        ack = answer.get("ack_seq")
        if status == 200 and isinstance(ack, int):
            self._acked(ack)
            self.batches_sent += 1
            self._reset_backoff()
            if ack >= first:
                return SENT
            self.last_error = "200 with ack_seq %d before seq %d" % (ack, first)
            _log(self.last_error)
            self._hold_until = self.log.count() + self.batch_size
            return STALLED
        if 400 <= status < 500:
            self.last_error = "%d %s" % (status, _code(answer))
            if status == 409 and isinstance(ack, int) and ack >= first:
                self._acked(ack)  # the host already holds some: resend the rest
                self._reset_backoff()
                return RESYNC
            if status == 409 and isinstance(ack, int):
                self._acked(ack)
            self._rejected(first + count - 1)
            return REJECTED
        return self._transient("%d %s" % (status, _code(answer)))

    def flush(self, max_attempts=5):
        """Upload everything pending (end of stream, shutdown): up to max_attempts failures
        in a row, with backoff; a batch that goes through starts the count again."""
        failures = 0
        while self.log.count() and failures < max_attempts:
            outcome = self.upload_once()
            if outcome in (SENT, RESYNC):
                failures = 0
                continue
            failures += 1
            if outcome in (REJECTED, STALLED):
                break  # the same records would be refused again
            if failures < max_attempts:
                self._sleep(self._backoff_ms)
        return self.log.count()

    def _acked(self, ack_seq):
        self.records_uploaded += self.log.ack(ack_seq)

    def _rejected(self, last_seq):
        if last_seq > self._rejected_upto:
            counted = max(self._rejected_upto, self.log.first_pending_seq() - 1)
            self.records_rejected += last_seq - counted
            self._rejected_upto = last_seq
        _log("batch refused:", self.last_error)
        self._hold_until = self.log.count() + self.batch_size

    def _transient(self, why):
        self.upload_errors += 1
        self.last_error = why
        self._backoff_ms = min(_BACKOFF_MAX_MS, max(_BACKOFF_MIN_MS, self._backoff_ms * 2))
        self._failed_at = self._clock()
        return RETRY

    def _reset_backoff(self):
        self._backoff_ms = 0
        self._hold_until = 0

    def stats(self):
        return {
            "records_uploaded": self.records_uploaded,
            "records_rejected": self.records_rejected,
            "records_pending": self.log.count(),
            "batches_sent": self.batches_sent,
            "upload_errors": self.upload_errors,
            "bytes_sent": self.bytes_sent,
        }


def _code(answer):
    err = answer.get("error")
    if isinstance(err, dict):
        return err.get("code") or "?"
    return "?"
