"""When to ask the modem which cells it hears, so that the observations ride in the next batch.

The badge's fix loop asks `due(pending, last_seq)` after each append (outside the uploader);
when the log holds `batch_size - max_cells` pending records it calls `collect()` and appends
one kind-4 record per cell (wire.record.CELL_FMT tuples: serving first, then neighbours),
so they fill the last slots of the batch about to be uploaded. At most one collection per
`batch_size` records, so an offline badge does not poll the modem on every fix.
"""

from struct import unpack_from

from storage.recordlog import LogFull
from wire.record import CELL_FMT, HEADER_FMT, KIND_CELL, make_flags, pack_record


def _report(*args):
    import sys

    print("cells:", *args, file=sys.stderr)


class CellReporter:
    def __init__(self, modem, batch_size, max_cells=3):
        self.modem = modem
        self.batch_size = batch_size
        self.max_cells = max_cells
        self._next_seq = 0
        self.collections = 0
        self.cells_seen = 0
        self.logged = 0

    def due(self, pending, last_seq):
        return pending >= self.batch_size - self.max_cells and last_seq >= self._next_seq

    def collect(self, last_seq):
        self._next_seq = last_seq + self.batch_size
        self.collections += 1
        cells = self.modem.cells()
        if len(cells) > self.max_cells:
            cells = cells[:self.max_cells]
        self.cells_seen += len(cells)
        return cells

    def append_to(self, recorder):
        """Append kind-4 records to recorder.log, stamped with the time of the record just
        appended (the observation is made now), straight into the log: the uploader is not
        polled from here, and recorder._record (already appended) is reused."""
        log = recorder.log
        rec = recorder._record
        _, _, flags, _, time_s, time_ms = unpack_from(HEADER_FMT, rec, 0)
        try:
            cells = self.collect(log.last_seq)
        except Exception as e:  # noqa: BLE001 - no cells this time; the fix loop goes on
            recorder.errors += 1
            _report("collect failed", repr(e))
            return
        for cell in cells:
            pack_record(rec, KIND_CELL, make_flags(flags & 3, 0, False), log.last_seq + 1,
                        time_s, time_ms, log.last_hash, CELL_FMT, *cell)
            try:
                log.append(rec)
            except LogFull:
                recorder.records_dropped += 1
                return
            recorder.records_signed += 1
            self.logged += 1
