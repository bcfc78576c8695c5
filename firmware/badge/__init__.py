"""The badge application: fix loop (app.py), uploader, HTTP uplink, unix entry point."""
