"""visitproof host: ingest API, analysis, supervisor console and technician tools."""
