"""The Quectel dialect (BG96 / EC25 class): PDP context, cells and the HTTP(S) stack, after
the EC25 AT manual and the BG96 / EC2x HTTP(S) AT commands manuals.

HTTP POST, as the manuals lay it out:
  AT+QHTTPCFG="contextid",1                 OK   (and "contenttype", "responseheader", ...)
  AT+QHTTPURL=<len>,<timeout s>             CONNECT, <len> URL bytes, OK
  AT+QHTTPPOST=<len>,<input s>,<rsp s>      CONNECT, <len> body bytes, OK,
                                            later +QHTTPPOST: <err>[,<status>,<length>]
  AT+QHTTPREAD=<wait s>                     CONNECT, the body, OK, +QHTTPREAD: <err>
Transport failures are <err> codes of the manual's table: 702 timeout, 709 network
deactivated, 716 socket connect error, 717 socket read error.
"""

from __future__ import annotations

from host.sim.modem.cells import qeng_neighbour_lines, qeng_serving_line
from host.sim.modem.commands import COMMON, Common
from host.sim.modem.core import ERROR, ModemConfig, Response, split_args

QUECTEL = {
    **COMMON,
    "+QICSGP": "at_qicsgp",
    "+QIACT": "at_qiact",
    "+QIDEACT": "at_qideact",
    "+QHTTPCFG": "at_qhttpcfg",
    "+QHTTPURL": "at_qhttpurl",
    "+QHTTPPOST": "at_qhttppost",
    "+QHTTPREAD": "at_qhttpread",
    "+QHTTPSTOP": "at_ok",
    "+QENG": "at_qeng",
    "+QCCID": "at_qccid",
    "+QNWINFO": "at_qnwinfo",
    "+QSCLK": "at_ok",
    "+QPOWD": "at_qpowd",
    "+QCFG": "at_ok",
    "+QURCCFG": "at_ok",
    "+QINDCFG": "at_ok",
    "+QPSMS": "at_ok",
}
CONTENT_TYPES = {
    "0": "application/x-www-form-urlencoded",
    "1": "text/plain",
    "2": "application/octet-stream",
    "3": "multipart/form-data",
    "4": "application/octet-stream",
}


def quectel_config(**overrides) -> ModemConfig:
    base = {
        "dialect": "quectel",
        "manufacturer": "Quectel",
        "model": "EC25",
        "revision": "EC25EFAR06A06M4G",
        "imei": "866425031234567",
    }
    return ModemConfig(**{**base, **overrides})


class QuectelModem(Common):
    handlers = QUECTEL
    attempt_commands = ("+QHTTPPOST",)

    def reset_dialect(self) -> None:
        self.url = ""
        self.content_type = CONTENT_TYPES["2"]
        self.answer: bytes | None = None

    def boot_urcs(self) -> list[str]:
        return ["RDY", "+CFUN: 1"]

    def sim_urcs(self) -> list[str]:
        return ["+QUSIM: 1", "+QIND: SMS DONE", "+QIND: PB DONE"]

    def inside_urc(self) -> str:
        return '+QIND: "csq",%d,99' % self.stage().serving.csq

    def transport_codes(self) -> dict[str, int]:
        return {"timeout": 702, "lost": 717, "connect": 716, "network": 709}

    def ati_lines(self) -> list[str]:
        return [self.cfg.manufacturer, self.cfg.model, "Revision: " + self.cfg.revision]

    def is_reset(self, text: str) -> bool:
        return text.replace(" ", "") == "AT+CFUN=1,1"

    def at_qpowd(self, kind: str, args: str) -> Response:
        self.schedule(0.01, lambda: (self.urc("POWERED DOWN"), self.power_off()))
        return Response()

    def at_qccid(self, kind: str, args: str) -> Response:
        err = self.sim_error()
        return Response(final=err) if err else Response(info=[["+QCCID: " + self.cfg.iccid]])

    def at_qnwinfo(self, kind: str, args: str) -> Response:
        if not self.registered():
            return Response(info=[["+QNWINFO: No Service"]])
        s = self.stage().serving
        duplex = "TDD LTE" if s.band >= 33 else "FDD LTE"
        return Response(
            info=[
                [
                    '+QNWINFO: "%s","%03d%0*d","LTE BAND %d",%d'
                    % (duplex, s.mcc, s.mnc_digits, s.mnc, s.band, s.earfcn)
                ]
            ]
        )

    def at_qeng(self, kind: str, args: str) -> Response:
        what = split_args(args)[0].lower() if kind == "=" else ""
        if what == "servingcell":
            if not self.registered():
                return Response(info=[['+QENG: "servingcell","SEARCH"']])
            return Response(info=[[qeng_serving_line(self.stage().serving)]])
        if what == "neighbourcell":
            lines = qeng_neighbour_lines(self.stage()) if self.registered() else []
            return Response(info=[lines] if lines else [])
        return Response(final=ERROR)

    # --- PDP ------------------------------------------------------------------------------
    def at_qicsgp(self, kind: str, args: str) -> Response:
        a = split_args(args)
        if kind == "=" and len(a) >= 3:
            self.apn = a[2]
        return Response()

    def at_qiact(self, kind: str, args: str) -> Response:
        if kind == "?":
            if not self.pdp_active:
                return Response()
            return Response(info=[['+QIACT: 1,1,1,"%s"' % self.cfg.ip]])
        if self.pdp_active:
            return Response(final=ERROR)  # the context is already active
        if not self.registered():
            return Response(final=self.cme(30))
        self.pdp_active = True
        return Response()

    def at_qideact(self, kind: str, args: str) -> Response:
        self.pdp_active = False
        return Response()

    # --- HTTP -----------------------------------------------------------------------------
    def at_qhttpcfg(self, kind: str, args: str) -> Response:
        a = split_args(args)
        if kind == "=" and a[0].lower() == "contenttype" and len(a) > 1:
            if a[1] not in CONTENT_TYPES:
                return Response(final=ERROR)
            self.content_type = CONTENT_TYPES[a[1]]
        return Response()

    def _sizes(self, args: str) -> list[int] | None:
        a = split_args(args)
        if not a or not all(x.isdigit() for x in a):
            return None
        return [int(x) for x in a]

    def at_qhttpurl(self, kind: str, args: str) -> Response | None:
        n = self._sizes(args)
        if not n or not 0 < n[0] <= 700:
            return Response(final=ERROR)

        def done(url: bytes) -> Response:
            self.url = url.decode("latin-1")
            return Response()

        self.respond(Response(info=[["CONNECT"]], final=None))
        self.expect_data(n[0], done, n[1] if len(n) > 1 else 60)
        return None

    def at_qhttppost(self, kind: str, args: str) -> Response | None:
        if self.fault == "cme_error":
            return Response(final=self.cme(100))
        err = self.sim_error()
        if err:
            return Response(final=err)
        n = self._sizes(args)
        if not n or not 0 < n[0] <= 1024000:
            return Response(final=ERROR)
        if not self.url:
            return Response(final=self.cme(712))  # empty URL
        if not self.pdp_active:
            return Response(final=self.cme(709))  # network deactivated
        url, ctype = self.url, self.content_type
        delay = self.cfg.http_timeout_s if self.fault == "http_timeout" else 0.0

        def done(body: bytes) -> Response:
            self.answer = None

            def run() -> None:
                result = self.post(url, body, ctype)
                if isinstance(result, int):
                    self.urc("+QHTTPPOST: %d" % result)
                    return
                status, answer = result
                self.answer = answer
                self.urc("+QHTTPPOST: 0,%d,%d" % (status, len(answer)))

            self.schedule(delay, run)
            return Response()

        self.respond(Response(info=[["CONNECT"]], final=None))
        self.expect_data(n[0], done, n[1] if len(n) > 1 else 60)
        return None

    def at_qhttpread(self, kind: str, args: str) -> Response:
        if self.answer is None:
            return Response(final=self.cme(705))  # no GET/POST request
        raw = self.answer + b"\r\nOK\r\n\r\n+QHTTPREAD: 0\r\n"
        return Response(info=[["CONNECT"]], final=None, raw_after=raw)
