"""Badge-facing API: POST /api/v1/batches (docs/protocol-v1.md)."""

from flask import Blueprint

bp = Blueprint("ingest", __name__, url_prefix="/api/v1")

from host.ingest import routes  # noqa: F401  (registers the views on bp)
