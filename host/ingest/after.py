"""What runs inside the ingest transaction once a batch's new records are verified and
stored: the derived results that depend on them (day reports, anti-cheat checks).

`after_ingest(session, device, batch_row, new_records)` is called by
host.ingest.service.ingest_batch before the commit, with the records new to the host in
seq order (host.protocol.Record, every kind). Each step is one call below, so that what a
stored batch sets off can be read in one place. A step that raises rolls the whole batch
back and the badge retries: steps must be idempotent.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from host.db.models import Batch, Device
from host.protocol import Record


def after_ingest(session: Session, device: Device, batch_row: Batch, new: list[Record]) -> None:
    if not new:
        return
    from host.reports import recompute  # issue 5: badge check-ins, stale collector-days

    recompute.after_ingest(session, device, new)
    from host.anticheat import alerts  # issue 6: fix checks, quarantine, badge events

    alerts.after_ingest(session, device, batch_row, new)
