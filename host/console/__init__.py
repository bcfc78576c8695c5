"""Supervisor web console: login, devices, day tracks on a Leaflet map, and its JSON API.

create_app registers `bp` at the URL root. Routes:
  GET/POST /login, POST /logout
  GET  /                                  -> /devices
  GET  /devices                           devices table
  GET  /devices/<device_id>/track?date=   day track page (default: day of the latest fix)
  GET  /api/v1/devices/<device_id>/track?date=YYYY-MM-DD   the day's fixes as JSON
  GET  /vendor/leaflet/<path>             Leaflet's dist/ files from <repo>/node_modules
Every page and /api/ route needs a login (pages redirect, the API answers 401 JSON); every
POST needs the session's CSRF token (security.py). Outside a request, links.track_path()
gives a track's path for printing (the demo).
"""

from flask import Blueprint

bp = Blueprint(
    "console",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/console/static",
)

from host.anticheat import web as _anticheat_web  # noqa: E402, F401  (issue 6: /alerts)
from host.console import api, pages, vendor  # noqa: F401  (routes register on bp)
