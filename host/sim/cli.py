"""`visitproof demo` (and, later, `visitproof nmea ...`): simulation commands of the CLI."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import click


@click.command()
@click.option(
    "--headless", is_flag=True, help="Run the chain to completion, print one JSON line, stop."
)
@click.option(
    "--log",
    "log",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="NMEA log to replay (default: a real recording from ../shared/data).",
)
@click.option(
    "--speed", default=20.0, show_default=True, help="Replay speed against the log's clock."
)
@click.option("--batch", default=60, show_default=True, help="Records per signed batch.")
@click.option("--port", default=5000, show_default=True, help="Console port (interactive demo).")
def demo(headless: bool, log: Path | None, speed: float, batch: int, port: int) -> None:
    """Host on SQLite + a simulated badge (real firmware, MicroPython unix port) on a real log."""
    from host.sim.demo import run_headless, run_interactive

    if speed <= 0:
        raise click.BadParameter("must be positive", param_hint="--speed")
    from host.sim.badge_process import BadgeError

    try:
        if headless:
            click.echo(json.dumps(run_headless(log, speed, batch)))
        else:
            run_interactive(log, speed, batch, port)
    except BadgeError as e:
        raise click.ClickException(f"the simulated badge failed: {e}") from e
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise click.ClickException(f"port {port} is in use: pass --port with a free one") from e
        raise
