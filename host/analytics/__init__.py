"""Pure analytics over plain data: stays, fences, check-ins, mileage, days since visit.

No Flask, no SQLAlchemy: ingest workers, the CLI and the console call the same functions.
Entry points: `report.day_report`, `report.days_since_last_visit`, `timeday.local_day_bounds`,
`timeday.working_day_of`; inputs are the frozen dataclasses of `model`.
"""
