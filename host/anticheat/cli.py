"""`visitproof anticheat eval [--json] [--no-honest]`: the evaluation set's detection table
and the false-alarm rate on the honest real logs (host.anticheat.eval.run)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext


@click.group()
def anticheat() -> None:
    """Anti-cheat checks: evaluation."""


@anticheat.command("eval")
@click.option("--json", "as_json", is_flag=True, help="print the whole result as JSON")
@click.option("--no-honest", is_flag=True, help="skip the honest real logs (../shared/data)")
def eval_command(as_json: bool, no_honest: bool) -> None:
    """Run every scenario and the honest logs on a scratch database; print the table."""
    from host.anticheat.eval.run import evaluate

    result = evaluate(with_honest=not no_honest)
    if as_json:
        click.echo(json.dumps(result, indent=1))
        return
    click.echo(f"{'scenario':<28} {'detected':<9} {'check-ins refused':<18} reason codes")
    for row in result["scenarios"]:
        shown = "yes" if row["detected"] else "no"
        if not row["expected"]:
            shown = "clean" if not row["detected"] else "ALERTED"
        refused = f"{row['checkins_refused']}/{row['checkins_made']}"
        click.echo(
            f"{row['scenario']:<28} {shown:<9} {refused:<18} "
            f"{', '.join(row['reason_codes']) or '-'}"
        )
    click.echo(f"detection rate: {result['detection_rate']:.0%}")
    honest = result.get("honest")
    if honest is None:
        return
    if honest.get("missing"):
        click.echo(f"honest logs: {honest['data']} is absent, no false-alarm rate")
        return
    for part in ("tune", "test"):
        h = honest[part]
        click.echo(
            f"honest logs, {part} half: {h['false_alerts']} false alerts in "
            f"{h['collector_days']} collector-days ({h['fixes']} fixes) = "
            f"{h['false_alerts_per_100_days']} per 100 collector-days"
        )


@anticheat.command("release")
@click.argument("sha256")
@click.option("--version", default="", help="a label, e.g. 1.4.2")
@with_appcontext
def release_command(sha256: str, version: str) -> None:
    """Add a released firmware build (SHA-256 of its files) to the registry."""

    from host.anticheat.firmware import FirmwareError, add_release
    from host.db import get_session

    try:
        row = add_release(get_session(), sha256, version)
    except FirmwareError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"released {row.sha256} {row.version}".rstrip())
