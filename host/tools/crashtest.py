"""`visitproof badge crashtest --kills N`: the record log's power-cut test, run on demand.

The firmware's storage/crashtest.py runs under the real micropython (the unix port): the
record log on littlefs (vfs.VfsLfs2) over an emulated NOR flash that loses power at a
random block operation, N times, each cut checked at the next boot (see that module). This
command runs it on the mpy-cross build (as the badge runs it) and prints its one JSON line:
kills, records_durable, records_lost, records_duplicated, and the detail counters. Exit 1
when a durable record was lost or duplicated, the chain broke, the flash did not mount,
fewer cuts ran than asked, or the host does not hold every record exactly once.
"""

from __future__ import annotations

import json
import os
import subprocess

import click

from host.sim.badge_process import micropython_binary
from host.tools.compile_firmware import compile_firmware

# the test harness keeps the model host's digests and a 256 KB flash image: not the badge's
# 100 KB budget, which the SIGKILL and firmware tests hold the log to
HEAP = "8M"


def run_crashtest(kills: int, seed: int = 1, blocks: int = 64, timeout: float = 3600) -> dict:
    code_dir = compile_firmware()
    proc = subprocess.run(
        [micropython_binary(), "-X", f"heapsize={HEAP}", "-m", "storage.crashtest",
         "--kills", str(kills), "--seed", str(seed), "--blocks", str(blocks)],
        env=dict(os.environ, MICROPYPATH=str(code_dir)),
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise click.ClickException(f"crashtest failed: {proc.stderr.strip()[-2000:]}")
    return json.loads(lines[-1])


@click.group("badge")
def badge() -> None:
    """Badge firmware checks run on the MicroPython unix port."""


@badge.command("crashtest")
@click.option("--kills", default=500, show_default=True, type=click.IntRange(1, 100000),
              help="power cuts at random flash operations")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--blocks", default=64, show_default=True, type=click.IntRange(16, 1024),
              help="size of the emulated flash in 4 KB blocks")
def crashtest(kills: int, seed: int, blocks: int) -> None:
    """Cut the power N times while the log appends, syncs, acks and truncates."""
    out = run_crashtest(kills, seed, blocks)
    first = {k: out.pop(k) for k in ("kills", "records_durable", "records_lost",
                                     "records_duplicated")}
    click.echo(json.dumps({**first, **out}))
    reasons = failures({**first, **out}, kills)
    if reasons:
        click.echo("crashtest failed: " + "; ".join(reasons), err=True)
        raise SystemExit(1)


def failures(out: dict, kills: int) -> list[str]:
    """What in a crashtest JSON line breaks the log's promise (empty: none)."""
    reasons = [f"{k}={out.get(k)}" for k in ("records_lost", "records_duplicated",
                                            "chain_breaks", "records_foreign",
                                            "mount_failures") if out.get(k)]
    if out.get("kills") != kills:
        reasons.append(f"kills={out.get('kills')} of {kills} (the run stopped early)")
    if out.get("exactly_once") is not True:
        reasons.append("the host does not hold every durable record exactly once")
    return reasons
