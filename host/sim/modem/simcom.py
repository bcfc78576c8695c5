"""The SIMCom dialect (SIM7600 / A7670 class): reset, cells, TCP/IP open and the HTTP(S)
stack, after the SIM7500/SIM7600 AT manual, its HTTP(S) manual and the A76XX manual.

HTTP POST, as the manuals lay it out:
  AT+HTTPINIT                      OK (ERROR when already started or without network)
  AT+HTTPPARA="URL","http://..."   OK          AT+HTTPPARA="CONTENT","..."   OK
  AT+HTTPDATA=<size>,<time ms>     DOWNLOAD, <size> raw bytes, OK (ERROR after <time>)
  AT+HTTPACTION=1                  OK, later +HTTPACTION: 1,<status>,<length>
  AT+HTTPREAD?                     +HTTPREAD: LEN,<length>
  AT+HTTPREAD=<start>,<size>       OK, +HTTPREAD: <n>, <n> raw bytes, +HTTPREAD: 0
  AT+HTTPTERM                      OK
Transport failures use the A76XX result codes in +HTTPACTION's status: 705 timeout,
706 receive/send socket data failed, 714 connect socket failed, 717 no network.
"""

from __future__ import annotations

from host.sim.modem.cells import ceng_lines, cpsi_line
from host.sim.modem.commands import COMMON, Common
from host.sim.modem.core import ERROR, ModemConfig, Response, split_args

SIMCOM = {
    **COMMON,
    "+CRESET": "at_creset",
    "+CPSI": "at_cpsi",
    "+CENG": "at_ceng",
    "+HTTPINIT": "at_httpinit",
    "+HTTPTERM": "at_httpterm",
    "+HTTPPARA": "at_httppara",
    "+HTTPDATA": "at_httpdata",
    "+HTTPACTION": "at_httpaction",
    "+HTTPREAD": "at_httpread",
    "+NETOPEN": "at_netopen",
    "+NETCLOSE": "at_ok",
    "+IPADDR": "at_ipaddr",
    "+SIMCOMATI": "at_simcomati",
    "+CICCID": "at_ciccid",
    "+CSCLK": "at_ok",
    "+CNMP": "at_ok",
    "+CNBP": "at_ok",
    "+CSSLCFG": "at_ok",
}
HTTP_PARAMS = (
    "URL",
    "CONTENT",
    "USERDATA",
    "CONNECTTO",
    "RECVTO",
    "ACCEPT",
    "SSLCFG",
    "READMODE",
    "CID",
)
MAX_HTTPDATA = 153600


def simcom_config(**overrides) -> ModemConfig:
    return ModemConfig(**{"dialect": "simcom", **overrides})


class SimcomModem(Common):
    handlers = SIMCOM
    attempt_commands = ("+HTTPDATA",)

    def reset_dialect(self) -> None:
        self.http: dict | None = None
        self.answer: bytes | None = None

    def boot_urcs(self) -> list[str]:
        return ["*ATREADY: 1"] if self.cfg.profile == "a7670" else ["RDY"]

    def transport_codes(self) -> dict[str, int]:
        return {"timeout": 705, "lost": 706, "connect": 714, "network": 717}

    def at_creset(self, kind: str, args: str) -> Response:
        self.reboot_later()
        return Response()

    def at_simcomati(self, kind: str, args: str) -> Response:
        lines = [
            "Manufacturer: " + self.cfg.manufacturer,
            "Model: " + self.cfg.model,
            "Revision: " + self.cfg.revision,
        ]
        if self.cfg.build:
            lines.append(self.cfg.build)
        lines.append("IMEI: " + self.cfg.imei)
        return Response(info=[lines])

    def at_ciccid(self, kind: str, args: str) -> Response:
        err = self.sim_error()
        return Response(final=err) if err else Response(info=[["+ICCID: " + self.cfg.iccid]])

    # --- cells ----------------------------------------------------------------------------
    def at_cpsi(self, kind: str, args: str) -> Response:
        if kind != "?":
            return Response()
        if not self.registered():
            return Response(info=[["+CPSI: NO SERVICE,Online"]])
        return Response(info=[[cpsi_line(self.stage().serving, self.cfg.profile)]])

    def at_ceng(self, kind: str, args: str) -> Response:
        if kind != "?":
            return Response()
        if not self.registered():
            return Response(info=[["+CENG: 1,0,NO SERVICE"]])
        return Response(info=[ceng_lines(self.stage())])

    # --- IP -------------------------------------------------------------------------------
    def at_netopen(self, kind: str, args: str) -> Response:
        if kind == "?":
            return Response(info=[["+NETOPEN: %d" % self.pdp_active]])
        ok = self.registered()
        self.pdp_active = self.pdp_active or ok
        self.schedule(0.01, lambda: self.urc("+NETOPEN: %d" % (0 if ok else 1)))
        return Response()

    def at_ipaddr(self, kind: str, args: str) -> Response:
        if not self.pdp_active:
            return Response(final=ERROR)
        return Response(info=[["+IPADDR: " + self.cfg.ip]])

    # --- HTTP -----------------------------------------------------------------------------
    def at_httpinit(self, kind: str, args: str) -> Response:
        if self.http is not None or not self.registered():
            return Response(final=ERROR)
        self.http = {"URL": "", "CONTENT": "text/plain", "body": b""}
        self.pdp_active = True
        return Response()

    def at_httpterm(self, kind: str, args: str) -> Response:
        if self.http is None:
            return Response(final=ERROR)
        self.http = None
        self.answer = None
        return Response()

    def at_httppara(self, kind: str, args: str) -> Response:
        a = split_args(args)
        if self.http is None or len(a) < 2 or a[0].upper() not in HTTP_PARAMS:
            return Response(final=ERROR)
        self.http[a[0].upper()] = a[1]
        return Response()

    def at_httpdata(self, kind: str, args: str) -> Response | None:
        if self.fault == "cme_error":
            return Response(final=self.cme(100))
        err = self.sim_error()
        if err:
            return Response(final=err)
        a = split_args(args)
        if self.http is None or len(a) != 2 or not all(x.isdigit() for x in a):
            return Response(final=ERROR)
        size, wait_ms = int(a[0]), int(a[1])
        if not 0 < size <= MAX_HTTPDATA:
            return Response(final=ERROR)

        def done(body: bytes) -> Response:
            if self.http is None:
                return Response(final=ERROR)
            self.http["body"] = body
            return Response()

        self.respond(Response(info=[["DOWNLOAD"]], final=None))
        self.expect_data(size, done, wait_ms / 1000)
        return None

    def at_httpaction(self, kind: str, args: str) -> Response:
        if self.http is None or args not in ("0", "1", "2", "3", "4"):
            return Response(final=ERROR)
        method = int(args)
        http = self.http
        self.answer = None
        delay = self.cfg.http_timeout_s if self.fault == "http_timeout" else 0.0

        def run() -> None:
            result = self.post(http["URL"], http["body"] if method == 1 else b"", http["CONTENT"])
            if isinstance(result, int):
                self.urc("+HTTPACTION: %d,%d,0" % (method, result))
                return
            status, body = result
            self.answer = body
            self.urc("+HTTPACTION: %d,%d,%d" % (method, status, len(body)))

        self.schedule(delay, run)
        return Response()

    def at_httpread(self, kind: str, args: str) -> Response:
        if self.http is None:
            return Response(final=ERROR)
        if kind == "?":
            return Response(info=[["+HTTPREAD: LEN,%d" % len(self.answer or b"")]])
        a = split_args(args)
        if self.answer is None or not all(x.isdigit() for x in a) or len(a) not in (1, 2):
            return Response(final=ERROR)
        start, size = (0, int(a[0])) if len(a) == 1 else (int(a[0]), int(a[1]))
        chunk = self.answer[start : start + size]
        raw = b"\r\n+HTTPREAD: %d\r\n" % len(chunk) + chunk + b"\r\n+HTTPREAD: 0\r\n"
        return Response(raw_after=raw, urc_ok=False)
