"""HTTP face of the ingest service: size, content type, then host.ingest.service."""

from __future__ import annotations

from flask import jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from host.db import get_session
from host.errors import error_response
from host.ingest import bp
from host.ingest.service import IngestError, ingest_batch, log
from host.protocol import HEADER_SIZE, MAX_BATCH_BYTES

CONTENT_TYPE = "application/octet-stream"


def _reject(e: IngestError, device_id: str = "-"):
    # Never log the body or keys: the code, the device id and the reason are enough.
    log.warning(
        "batch rejected from %s device=%s: %d %s: %s",
        request.remote_addr,
        device_id,
        e.status,
        e.code,
        e.message,
    )
    return error_response(e.status, e.code, e.message, **e.extra)


def _too_large():
    return IngestError(413, "body_too_large", f"a batch is at most {MAX_BATCH_BYTES} bytes")


def _read_body(limit: int) -> bytes:
    """The body, read up to limit+1 bytes: a chunked upload has no Content-Length to check."""
    parts, size = [], 0
    while size <= limit:
        chunk = request.stream.read(limit + 1 - size)
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    if size > limit:
        raise RequestEntityTooLarge()
    return b"".join(parts)


def _anticheat_alert(e: IngestError, device_id: str) -> None:
    """Issue 6: a replay, a fork, a gap or an edited log becomes a supervisor alert."""
    from host.anticheat.alerts import record_rejection

    try:
        record_rejection(get_session(), device_id, e.code, e.message)
    except Exception:  # the badge's answer must not depend on the alert being stored
        get_session().rollback()
        log.exception("could not store the alert for %s from device=%s", e.code, device_id)


@bp.post("/batches")
def post_batch():
    if (request.content_length or 0) > MAX_BATCH_BYTES:
        return _reject(_too_large())
    if request.mimetype != CONTENT_TYPE:
        return _reject(
            IngestError(
                400,
                "wrong_content_type",
                f"Content-Type must be {CONTENT_TYPE}, got {request.mimetype or 'none'}",
            )
        )
    try:
        body = _read_body(MAX_BATCH_BYTES)
    except RequestEntityTooLarge:
        return _reject(_too_large())
    device_id = body[8:16].hex() if len(body) >= HEADER_SIZE else "-"
    try:
        result = ingest_batch(get_session(), body)
    except IngestError as e:
        _anticheat_alert(e, device_id)
        return _reject(e, device_id)
    log.info(
        "batch from device=%s stored=%d duplicates=%d ack_seq=%d",
        result.device_id,
        result.stored,
        result.duplicates,
        result.ack_seq,
    )
    return jsonify(result.answer())
