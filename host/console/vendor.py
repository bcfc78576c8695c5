"""Leaflet served from <repo>/node_modules/leaflet/dist (installed by `make setup`, never
committed). Override the folder with the VISITPROOF_NODE_MODULES config key."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template, send_from_directory

from host.console import bp

# host/console/vendor.py -> the repository root holding package.json and node_modules/.
REPO_ROOT = Path(__file__).resolve().parents[2]
MISSING = "Leaflet is not installed (node_modules/leaflet is missing): run `make setup`."


def leaflet_dir() -> Path:
    base = current_app.config.get("VISITPROOF_NODE_MODULES") or REPO_ROOT / "node_modules"
    return Path(base) / "leaflet" / "dist"


def missing_page():
    return render_template(
        "error.html",
        title="Map library missing",
        message=MISSING,
        detail=f"Looked in {leaflet_dir()}",
    ), 503


@bp.get("/vendor/leaflet/<path:filename>")
def leaflet_file(filename: str):
    # Public like any static file: the login page needs no map, but caching is harmless.
    folder = leaflet_dir()
    if not folder.is_dir():
        return missing_page()
    return send_from_directory(folder, filename, max_age=86400)
