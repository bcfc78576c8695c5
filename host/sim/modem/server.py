"""A modem simulator serving the badge: one module (SIMCom or Quectel dialect) behind a TCP
port or a pty, run by a thread, forwarding the badge's HTTP POSTs to the host.

    sim = ModemServer("simcom", host_url=demo.url, faults=FaultPlan(rate=0.2, seed=7)).start()
    badge.run(..., modem=sim.address, dialect="simcom")
    sim.stop(); sim.stats()  # bytes the badge wrote, attempts, faults injected, ...

A new TCP connection powers the module on (PWRKEY); closing it powers it off.
"""

from __future__ import annotations

import threading
import time

from host.sim.modem.cells import CellScript
from host.sim.modem.channel import PtyPort, TcpPort
from host.sim.modem.core import Modem, ModemConfig
from host.sim.modem.faults import FaultPlan
from host.sim.modem.forward import HostForward
from host.sim.modem.quectel import QuectelModem, quectel_config
from host.sim.modem.simcom import SimcomModem, simcom_config

DIALECTS = {"simcom": (SimcomModem, simcom_config), "quectel": (QuectelModem, quectel_config)}
_POLL_S = 0.05


def make_modem(dialect: str = "simcom", config: ModemConfig | None = None, **kw) -> Modem:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown modem dialect {dialect!r}: simcom or quectel")
    cls, default_config = DIALECTS[dialect]
    return cls(config or default_config(), **kw)


class ModemServer:
    def __init__(
        self,
        dialect: str = "simcom",
        host_url: str | None = None,
        faults: FaultPlan | None = None,
        cells: CellScript | None = None,
        config: ModemConfig | None = None,
        transport: str = "tcp",
    ):
        self.port = PtyPort() if transport == "pty" else TcpPort()
        self.forward = HostForward(host_url)
        self.modem = make_modem(dialect, config, faults=faults, cells=cells, forward=self.forward)
        self.modem.power_off()  # until the badge connects (presses PWRKEY)
        self.connections = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name="modem-sim", daemon=True)

    @property
    def address(self) -> str:
        return self.port.address

    def start(self) -> ModemServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.port.close()

    def _serve(self) -> None:
        try:
            while not self._stop.is_set():
                link = self.port.accept(_POLL_S)
                if link is not None:
                    self._run(link)
        except BaseException as e:  # reported to the caller through .error
            self.error = e

    def _run(self, link) -> None:
        self.connections += 1
        with self._lock:
            self.modem.power_on()
        try:
            while not self._stop.is_set():
                due = self.modem.next_due()
                wait = _POLL_S if due is None else min(_POLL_S, due - time.monotonic())
                data = link.recv(wait)
                if data == b"":
                    break
                with self._lock:
                    if data:
                        self.modem.feed(data)
                    out = self.modem.take()
                if out:
                    link.send(out)
        except OSError:
            pass  # the badge went away mid-write
        finally:
            with self._lock:
                self.modem.power_off()
            link.close()

    def stats(self) -> dict:
        with self._lock:
            m = self.modem
            return {
                "dialect": m.cfg.dialect,
                "connections": self.connections,
                "upload_attempts": m.attempts,
                "faults_injected": len(m.faults.injected),
                "faults_by_kind": m.faults.counts(),
                "badge_bytes": m.stats["rx_bytes"],
                **{k: v for k, v in m.stats.items() if k != "rx_bytes"},
            }
