"""Cases, visit plans, check-ins and day reports kept in the database (issue 5).

Plain service functions over a SQLAlchemy session (no Flask), called by the CLI
(host/reports/cli.py), the console's JSON API (host/reports/api.py) and the ingest hook
(host/reports/recompute.py). The analysis itself is host/analytics (pure functions on
plain data); host/reports/engine.py is the one module that turns rows into its inputs.

  settings.py    the organisation's settings (one organisation: row 1, made on first use)
  registry.py    collectors, cases, visit plans
  checkins.py    check-in attempts and the host's verdict; days since the last visit
  dayreports.py  the collector-day report, cached in day_results with an input fingerprint
  recompute.py   after an ingest: mark the collector-days the new fixes fall on stale
"""
