"""`visitproof demo` and `visitproof nmea inspect|replay|decode`: simulation commands of the CLI."""

from __future__ import annotations

import errno
import json
import sys
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
@click.option(
    "--uplink",
    type=click.Choice(["modem", "http"]),
    default="modem",
    show_default=True,
    help="modem: through the simulated cellular modem (AT commands); http: plain sockets.",
)
@click.option(
    "--modem-dialect",
    type=click.Choice(["simcom", "quectel"]),
    default="simcom",
    show_default=True,
    help="AT dialect of the simulated modem (SIM7600/A7670 or BG96/EC25).",
)
@click.option(
    "--fault-rate",
    default=0.0,
    show_default=True,
    help="Share of upload attempts the modem simulator spoils with a fault (0..1).",
)
@click.option("--fault-seed", default=1, show_default=True, help="Seed of the fault schedule.")
@click.option(
    "--faults", "fault_script", default="", help="Scripted faults: ATTEMPT:KIND,... e.g. 3:hang"
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Headless: where the host's database and the badge's files go (wiped first).",
)
def demo(
    headless: bool,
    log: Path | None,
    speed: float,
    batch: int,
    port: int,
    uplink: str,
    modem_dialect: str,
    fault_rate: float,
    fault_seed: int,
    fault_script: str,
    workdir: Path | None,
) -> None:
    """Host on SQLite + a simulated badge (real firmware, MicroPython unix port) on a real log."""
    from host.sim.demo import run_headless, run_interactive
    from host.sim.modem.faults import FaultError, FaultPlan, parse_script

    if speed <= 0:
        raise click.BadParameter("must be positive", param_hint="--speed")
    if uplink == "http" and (fault_rate or fault_script):
        raise click.BadParameter("faults need --uplink modem", param_hint="--fault-rate")
    try:
        faults = FaultPlan(rate=fault_rate, seed=fault_seed, script=parse_script(fault_script))
    except FaultError as e:
        raise click.BadParameter(str(e), param_hint="--fault-rate/--faults") from e
    if workdir and workdir.is_dir() and any(workdir.iterdir()):
        if not (workdir / "visitproof.db").exists():  # wiped first: only an earlier demo's
            raise click.BadParameter(f"{workdir} holds other files", param_hint="--workdir")
    opts = {"uplink": uplink, "modem_dialect": modem_dialect, "faults": faults}
    from host.sim.badge_process import BadgeError

    try:
        if headless:
            click.echo(json.dumps(run_headless(log, speed, batch, workdir, **opts)))
        else:
            run_interactive(log, speed, batch, port, **opts)
    except BadgeError as e:
        raise click.ClickException(f"the simulated badge failed: {e}") from e
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise click.ClickException(f"port {port} is in use: pass --port with a free one") from e
        raise


@click.group()
def nmea() -> None:
    """Inspect a recorded NMEA log, or replay it to a serial port."""


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@nmea.command("inspect")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def nmea_inspect(file: Path, as_json: bool) -> None:
    """Sentence counts, rejects, time span, fix rate and C/N0 of an NMEA log (via pynmea2)."""
    from host.nmea_tools.inspect import NoNmeaError, format_report, inspect_log

    try:
        report = inspect_log(file)
    except (NoNmeaError, OSError) as e:
        _fail(f"{file}: {e.strerror}" if isinstance(e, OSError) and e.strerror else str(e))
    click.echo(json.dumps(report) if as_json else format_report(report))


@nmea.command("replay")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--port", required=True, help="Serial device or pseudo-terminal, e.g. /dev/pts/3.")
@click.option("--speed", default=1.0, show_default=True, help="Replay speed against the log.")
@click.option("--baud", default=9600, show_default=True)
def nmea_replay(file: Path, port: str, speed: float, baud: int) -> None:
    """Write the log to PORT with the log's own timing."""
    import serial

    from host.nmea_tools.replay import replay

    if not speed > 0 or speed == float("inf"):  # also refuses nan
        _fail("--speed must be a positive number")
    if not file.is_file():
        _fail(f"{file}: no such file")
    try:
        sent = replay(
            file, port, speed, baud, progress=lambda n, total: click.echo(f"sent {n}/{total}")
        )
    except (OSError, serial.SerialException) as e:
        _fail(f"{port}: {e}")
    click.echo(f"done: {sent} sentences sent to {port}")


@nmea.command("decode")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--time-floor", type=int, default=None,
              help="Trusted Unix time for GPS week-rollover correction (default: none).")
def nmea_decode(file: Path, time_floor: int | None) -> None:
    """The badge's own parser under micropython: one JSON line per fix (TPV) and epoch (SKY)."""
    from host.nmea_tools.decode import DecodeError, decode_lines

    try:
        for line in decode_lines(file, time_floor):
            click.echo(line)
    except DecodeError as e:
        _fail(str(e))
