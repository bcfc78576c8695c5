"""`visitproof` command line (console script, pyproject.toml): a Flask CLI group.

    visitproof db upgrade [--revision head]      apply the Alembic migrations
    visitproof db current                        show the database's revision
    visitproof device register --public-key HEX [--name N]   prints the device id
    visitproof device list
    visitproof device revoke DEVICE_ID
    visitproof user create-admin --username U [--password P]  (or VISITPROOF_ADMIN_PASSWORD,
                                                                or a prompt)
    visitproof serve [--host 127.0.0.1] [--port 5000]
    visitproof routes | shell                    Flask's own commands

Other modules add subcommands through LAZY_COMMANDS below: name -> "module:attribute" of a
click command or group, imported only when that subcommand runs or help is listed. A
module that is not there yet is simply left out of the listing.
"""

from __future__ import annotations

import importlib
import logging
import os

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from host.app import create_app

# The spot for other areas' commands (add one line each):
LAZY_COMMANDS: dict[str, str] = {
    "demo": "host.sim.cli:demo",
    "nmea": "host.sim.cli:nmea",
    "badge": "host.tools.crashtest:badge",
    "analyze": "host.analytics.cli:analyze",
    "collector": "host.reports.cli:collector",
    "case": "host.reports.cli:case",
    "plan": "host.reports.cli:plan",
    "checkin": "host.reports.cli:checkin",
    "report": "host.reports.cli:report",
    "org": "host.reports.cli:org",
    "anticheat": "host.anticheat.cli:anticheat",
}


class VisitproofGroup(FlaskGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        names.update(name for name in LAZY_COMMANDS if self._lazy(name) is not None)
        return sorted(names)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            return self._lazy(name)
        return super().get_command(ctx, name)

    @staticmethod
    def _lazy(name: str) -> click.Command | None:
        module_name, _, attr = LAZY_COMMANDS[name].partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name and module_name.startswith(e.name):
                return None  # that area has not landed yet
            raise
        return getattr(module, attr, None)


def _app_factory():
    return create_app()


cli = VisitproofGroup(
    create_app=_app_factory,
    help="visitproof host: database, devices, users and the server.",
)


def _session():
    from host.db import get_session

    return get_session()


# --- db -------------------------------------------------------------------------------------


@cli.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema of DATABASE_URL."""
    from host.db import get_db
    from host.db.migrate import upgrade

    upgrade(engine=get_db().engine, revision=revision)
    click.echo(f"database upgraded to {revision}")


@db.command("current")
@with_appcontext
def db_current() -> None:
    """Print the database's migration revision."""
    from host.db import get_db
    from host.db.migrate import current

    current(engine=get_db().engine)


# --- device ---------------------------------------------------------------------------------


@cli.group()
def device() -> None:
    """Badge registry."""


@device.command("register")
@click.option("--public-key", "public_key_hex", required=True, help="Ed25519 key, 64 hex chars")
@click.option("--name", default="", help="a label for the console")
@click.option("--firmware-sha256", default=None, help="the flashed build (issue 6: checked)")
@with_appcontext
def device_register(public_key_hex: str, name: str, firmware_sha256: str | None) -> None:
    """Register a badge's public key; prints its device id."""
    from host.db.devices import DeviceError, register_device

    try:
        key = bytes.fromhex(public_key_hex.strip())
        dev = register_device(_session(), key, name)
        if firmware_sha256 is not None:
            from host.anticheat.firmware import check_registration

            if not check_registration(_session(), dev, firmware_sha256):
                click.echo(f"warning: firmware {firmware_sha256} is not a released build", err=True)
    except (ValueError, DeviceError) as e:
        raise click.ClickException(str(e)) from None
    click.echo(dev.device_id)


@device.command("list")
@with_appcontext
def device_list() -> None:
    """List the registered devices."""
    from host.db.devices import list_devices

    for dev in list_devices(_session()):
        click.echo(f"{dev.device_id}  {dev.status:8}  seq={dev.last_seq:<8}  {dev.name}")


@device.command("revoke")
@click.argument("device_id")
@with_appcontext
def device_revoke(device_id: str) -> None:
    """Deactivate a device: its uploads are refused from now on."""
    from host.db.devices import DeviceError, revoke_device

    try:
        revoke_device(_session(), device_id)
    except DeviceError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"{device_id} revoked")


# --- user -----------------------------------------------------------------------------------


@cli.group()
def user() -> None:
    """Console users."""


@user.command("create-admin")
@click.option("--username", required=True)
@click.option("--password", default=None, help="else VISITPROOF_ADMIN_PASSWORD, else a prompt")
@with_appcontext
def user_create_admin(username: str, password: str | None) -> None:
    """Create an admin (or reset its password). The password is never printed."""
    from host.db.users import set_user

    password = password or os.environ.get("VISITPROOF_ADMIN_PASSWORD")
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        _, created = set_user(_session(), username, password, role="admin")
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"admin {username} {'created' if created else 'updated'}")


# --- serve ----------------------------------------------------------------------------------


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Run the host with werkzeug's threaded server."""
    from werkzeug.serving import run_simple

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    run_simple(host, port, app, threaded=True, use_reloader=False)


def main() -> None:
    cli.main(prog_name="visitproof")


if __name__ == "__main__":
    main()
