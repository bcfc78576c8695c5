"""The record log on flash (see recordlog.py)."""
