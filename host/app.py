"""Flask application factory (the Flask tutorial's create_app)."""

from __future__ import annotations

import os

from flask import Flask

from host import config as host_config


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. Config: environment (host.config), then `test_config` on top.

    test_config may also hold INSTANCE_PATH (where the default DB and the secret key live).
    """
    test_config = dict(test_config or {})
    instance = os.path.abspath(
        test_config.pop("INSTANCE_PATH", None) or host_config.instance_path()
    )
    app = Flask(__name__, instance_path=instance, instance_relative_config=True)
    app.config.from_mapping(host_config.from_env(instance))
    app.config.update(test_config)
    _check_time_zone(app.config["VISITPROOF_TZ"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = host_config.load_or_create_secret_key(instance)

    from host import db, errors

    errors.init_app(app)
    database = db.init_app(app)
    if app.config.get("AUTO_MIGRATE"):
        from host.db.migrate import upgrade

        upgrade(engine=database.engine)

    from host import console
    from host.ingest import bp as ingest_bp

    app.register_blueprint(ingest_bp)
    app.register_blueprint(console.bp)
    from host.reports.api import bp as reports_bp  # cases, check-ins, day reports (JSON)

    app.register_blueprint(reports_bp)
    if hasattr(console, "init_app"):
        console.init_app(app)
    return app


def _check_time_zone(name: str) -> None:
    """Refuse to start on a zone that would make every console page fail later."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise RuntimeError(
            f"VISITPROOF_TZ={name!r} is not an IANA time zone (e.g. Asia/Shanghai)"
        ) from e
