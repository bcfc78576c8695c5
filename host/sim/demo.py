"""The main job end to end: host on SQLite, a provisioned simulated badge, a real log.

    host (Flask, SQLite WAL)  <-- HTTP --  ModemServer  <-- AT over TCP --  badge firmware
                                           (host/sim/modem: SIMCom or     on the MicroPython
                                            Quectel dialect, cells,       unix port
                                            injected faults)                ^ NMEA over TCP
                                                                 GnssFeeder (a real recording)

The badge uploads through the simulated cellular modem (uplink "modem", the default) as it
does in the field; uplink "http" posts over plain sockets instead (the WiFi path).

Used by `visitproof demo` (console left running) and `visitproof demo --headless` (one JSON
line, everything stopped), by the end-to-end tests and by the benchmarks.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from host.sim.badge_process import SimulatedBadge
from host.sim.gnss_feeder import GnssFeeder
from host.sim.modem.faults import FaultPlan
from host.sim.modem.server import ModemServer
from host.sim.scenario import write_scenario
from host.tools.compile_firmware import REPO

SHARED_DATA = Path(os.environ.get("VISITPROOF_DATA", REPO.parent / "shared" / "data"))
# A walk of about 0.6 km recorded by a Pixel phone's GNSS chip (gnss_lib_py, MIT).
DEFAULT_LOG = SHARED_DATA / "nmea" / "gnss_lib_py" / "pixel6.nmea"
ADMIN = "admin"
UPLINKS = ("modem", "http")
DEFAULT_UPLINK = "modem"


def default_log(workdir: Path, recording: Path | None = None) -> tuple[Path, str]:
    """The real recording when ../shared/data is there, else our own generated scenario."""
    recording = recording or DEFAULT_LOG
    if recording.exists():
        return recording, "real recording"
    return write_scenario(workdir / "scenario.nmea"), "generated scenario (../shared/data absent)"


def _check_port_free(port: int) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # OSError(EADDRINUSE) when another server holds it


class Demo:
    def __init__(
        self,
        workdir: str | Path = REPO / "var" / "demo",
        port: int = 0,
        admin_password: str | None = None,
        fresh: bool = True,
    ):
        self.workdir = Path(workdir)
        if port:
            _check_port_free(port)  # before wiping: a running demo may be using this data
        if fresh and self.workdir.exists():
            shutil.rmtree(self.workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = port
        self.admin_password = admin_password or secrets.token_urlsafe(9)
        self.device_id: str | None = None
        self._server = None
        self._thread: threading.Thread | None = None

    # -- host ------------------------------------------------------------------------------
    def start_host(self) -> str:
        from werkzeug.serving import make_server

        from host.app import create_app
        from host.db import get_db
        from host.db.users import set_user

        self.app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{self.workdir / 'visitproof.db'}",
                "AUTO_MIGRATE": True,
                "INSTANCE_PATH": str(self.workdir / "instance"),
            }
        )
        with get_db(self.app).sessions() as session:
            set_user(session, ADMIN, self.admin_password, role="admin")
        # One line per badge upload would bury the demo's own progress lines.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="host", daemon=True)
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve_until_interrupted(self) -> None:
        try:
            while self._thread and self._thread.is_alive():
                self._thread.join(1)
        except KeyboardInterrupt:
            pass

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            from host.db import get_db

            get_db(self.app).engine.dispose()

    # -- badge -----------------------------------------------------------------------------
    def provision_badge(self, name: str = "Demo badge") -> str:
        """First boot on the badge (key generated there), then registration on the host."""
        from host.db import get_db
        from host.db.devices import register_device

        self.badge = SimulatedBadge(self.workdir / "badge-fs")
        info = self.badge.provision()
        with get_db(self.app).sessions() as session:
            device = register_device(session, bytes.fromhex(info["public_key"]), name)
            self.device_id = device.device_id
        if self.device_id != info["device_id"]:
            raise RuntimeError(f"badge says {info['device_id']}, host computes {self.device_id}")
        return self.device_id

    def replay(
        self,
        log: Path,
        speed: float = 20.0,
        batch: int = 60,
        progress=None,
        uplink: str = DEFAULT_UPLINK,
        modem_dialect: str = "simcom",
        faults: FaultPlan | None = None,
    ) -> dict:
        if uplink not in UPLINKS:
            raise ValueError(f"uplink must be one of {UPLINKS}, not {uplink!r}")
        modem = None
        if uplink == "modem":
            modem = ModemServer(modem_dialect, host_url=self.url, faults=faults).start()
            self.modem = modem
        feeder = GnssFeeder(log, speed=speed).start()
        result: dict = {}
        error: list[BaseException] = []

        def run_badge():
            try:
                result.update(
                    self.badge.run(
                        feeder.address,
                        self.url,
                        batch=batch,
                        modem=modem.address if modem else None,
                        modem_dialect=modem_dialect,
                    )
                )
            except BaseException as e:  # reported below, on the caller's thread
                error.append(e)

        worker = threading.Thread(target=run_badge, name="badge")
        worker.start()
        while worker.is_alive():
            worker.join(2)
            if progress and worker.is_alive():
                progress(f"replaying: {feeder.sentences_sent} sentences sent to the badge")
        feeder.join(5)
        if modem is not None:
            modem.stop()
        if error:
            raise error[0]
        if feeder.error:
            raise RuntimeError(f"GNSS feeder failed: {feeder.error!r}")
        if modem is not None and modem.error:
            raise RuntimeError(f"modem simulator failed: {modem.error!r}")
        result["sentences_sent"] = feeder.sentences_sent
        result["uplink"] = uplink
        if modem is not None:
            result.update({"modem_" + k: v for k, v in modem.stats().items()})
        return result

    # -- the host's view -------------------------------------------------------------------
    def host_summary(self) -> dict:
        """What the host stored: every record kind (fixes, cell observations...) in one
        chain, re-verified (host.sim.chain_check), and the fixes' time span."""
        from host.db import get_db
        from host.db.devices import get_device
        from host.db.models import Fix
        from host.ingest.audit import audit_device
        from host.sim.chain_check import chain_report

        with get_db(self.app).sessions() as session:
            device = get_device(session, self.device_id)
            first, last = session.execute(
                select(func.min(Fix.fix_ms), func.max(Fix.fix_ms)).where(Fix.device_pk == device.id)
            ).one()
            audit = audit_device(session, device)
            chain = chain_report(session, device)
        return {
            **chain,
            "audit_problems": audit.problems[:5] + chain["chain_problems"],
            "first_fix_ms": first,
            "last_fix_ms": last,
        }

    def track_url(self) -> str:
        from host.console.links import track_path

        return self.url + track_path(self.device_id)


def run_headless(
    log: Path | None, speed: float, batch: int, workdir: Path | None = None, **uplink
) -> dict:
    """uplink: Demo.replay's uplink, modem_dialect and faults."""
    demo = Demo(workdir or REPO / "var" / "demo-headless")
    try:
        source = "given log"
        if log is None:
            log, source = default_log(demo.workdir)
        demo.start_host()
        demo.provision_badge()
        started = time.monotonic()
        badge = demo.replay(Path(log), speed=speed, batch=batch, **uplink)
        summary = {"log": str(log), "source": source, "device_id": demo.device_id}
        summary.update(badge)
        summary.update(demo.host_summary())
        summary["wall_s"] = round(time.monotonic() - started, 2)
        return summary
    finally:
        demo.stop()


def run_interactive(log: Path | None, speed: float, batch: int, port: int, **uplink) -> None:
    say = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    demo = Demo(port=port)
    source = "given log"
    if log is None:
        log, source = default_log(demo.workdir)
    say(f"== host on SQLite: {demo.start_host()} (data in {demo.workdir})")
    say(f"== badge provisioned on the MicroPython unix port: device {demo.provision_badge()}")
    say(f"== replaying {log} ({source}) at {speed:g}x through the badge")
    badge = demo.replay(Path(log), speed=speed, batch=batch, progress=say, **uplink)
    host = demo.host_summary()
    say(
        f"== badge: {badge['fixes_read']} fixes read, {badge['records_signed']} records signed, "
        f"{badge['records_uploaded']} uploaded, {badge['records_rejected']} rejected"
    )
    say(
        f"== host: {host['records_stored']} records stored, {host['signatures_verified']} "
        f"signatures re-verified"
    )
    if badge.get("uplink") == "modem":
        say(
            f"== modem ({badge['modem_dialect']}): {badge['modem_upload_attempts']} upload "
            f"attempts, faults {badge['modem_faults_by_kind'] or 'none'}, "
            f"{badge['modem_badge_bytes']} bytes from the badge"
        )
    print(
        f"\nConsole: {demo.url}/\nLogin:   {ADMIN} / {demo.admin_password}\n"
        f"Track:   {demo.track_url()}\nPress Ctrl-C to stop.",
        flush=True,
    )
    try:
        demo.serve_until_interrupted()
    finally:
        demo.stop()
