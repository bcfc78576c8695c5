"""The commands both dialects share (V.25ter and 3GPP TS 27.007), as the SIMCom and
Quectel manuals describe them: identification, echo, error mode, SIM, registration and its
URCs, signal quality, network time, functionality (and the reset `AT+CFUN=1,1`), PDP
context definition and attach."""

from __future__ import annotations

from host.sim.modem.core import ERROR, Modem, Response, split_args

COMMON = {
    "": "at_ok",
    "E": "at_echo",
    "I": "at_ati",
    "Z": "at_ok",
    "&F": "at_ok",
    "&W": "at_ok",
    "V": "at_ok",
    "+CMEE": "at_cmee",
    "+CPIN": "at_cpin",
    "+CSQ": "at_csq",
    "+CREG": "at_reg",
    "+CEREG": "at_reg",
    "+CGREG": "at_reg",
    "+COPS": "at_cops",
    "+CCLK": "at_cclk",
    "+CTZU": "at_ok",
    "+CTZR": "at_ok",
    "+CFUN": "at_cfun",
    "+CGMI": "at_cgmi",
    "+CGMM": "at_cgmm",
    "+CGMR": "at_cgmr",
    "+CGSN": "at_cgsn",
    "+GSN": "at_cgsn",
    "+CIMI": "at_cimi",
    "+CGDCONT": "at_cgdcont",
    "+CGACT": "at_cgact",
    "+CGATT": "at_cgatt",
    "+CGPADDR": "at_cgpaddr",
    "+IPR": "at_ok",
    "+IFC": "at_ok",
    "+CPSMS": "at_ok",
    "+CEDRXS": "at_ok",
    "+CNMI": "at_ok",
    "+CMGF": "at_ok",
}


class Common(Modem):
    handlers = COMMON

    def at_ok(self, kind: str, args: str) -> Response:
        return Response()

    def at_echo(self, kind: str, args: str) -> Response:
        if args not in ("", "0", "1"):
            return Response(final=ERROR)
        self.echo = args == "1"
        return Response()

    def ati_lines(self) -> list[str]:
        return [
            "Manufacturer: " + self.cfg.manufacturer,
            "Model: " + self.cfg.model,
            "Revision: " + self.cfg.revision,
            "IMEI: " + self.cfg.imei,
            "+GCAP: +CGSM",
        ]

    def at_ati(self, kind: str, args: str) -> Response:
        return Response(info=[self.ati_lines()])

    def at_cmee(self, kind: str, args: str) -> Response:
        if kind == "?":
            return Response(info=[["+CMEE: %d" % self.cmee]])
        if kind == "=?":
            return Response(info=[["+CMEE: (0-2)"]])
        if args not in ("0", "1", "2"):
            return Response(final=ERROR)
        self.cmee = int(args)
        return Response()

    def sim_error(self) -> str | None:
        if self.cfg.sim_failed:
            return self.cme(13)
        if self.sim_absent:
            return self.cme(10)
        if not self.sim_ready:
            return self.cme(self.cfg.boot_sim_error)
        return None

    def at_cpin(self, kind: str, args: str) -> Response:
        err = self.sim_error()
        if err:
            return Response(final=err)
        if kind == "?":
            return Response(info=[["+CPIN: READY"]])
        return Response(final=self.cme(3))  # no PIN is set on this SIM

    def at_csq(self, kind: str, args: str) -> Response:
        if kind == "=?":
            return Response(info=[["+CSQ: (0-31,99),(0-7,99)"]])
        return Response(info=[[self.csq()]])

    def at_reg(self, kind: str, args: str) -> Response:
        name = self.command_name.lstrip("+")
        if kind == "?":
            return Response(info=[["+%s: %s" % (name, self.reg_fields(name, self.reg_n[name]))]])
        if kind == "=?":
            return Response(info=[["+%s: (0-2)" % name]])
        if args not in ("0", "1", "2"):
            return Response(final=ERROR)
        self.reg_n[name] = int(args)
        return Response()

    def at_cops(self, kind: str, args: str) -> Response:
        if kind != "?":
            return Response()
        if not self.registered():
            return Response(info=[["+COPS: 0"]])
        s = self.stage().serving
        if self.cfg.operator:
            return Response(info=[['+COPS: 0,0,"%s",7' % self.cfg.operator]])
        return Response(info=[['+COPS: 0,2,"%03d%0*d",7' % (s.mcc, s.mnc_digits, s.mnc)]])

    def at_cclk(self, kind: str, args: str) -> Response:
        if kind == "?":
            return Response(info=[[self.network_time()]])
        return Response()

    def at_cfun(self, kind: str, args: str) -> Response:
        if kind == "?":
            return Response(info=[["+CFUN: 1"]])
        a = split_args(args)
        if a[:2] == ["1", "1"]:
            self.reboot_later()
        return Response()

    def at_cgmi(self, kind: str, args: str) -> Response:
        return Response(info=[[self.cfg.manufacturer]])

    def at_cgmm(self, kind: str, args: str) -> Response:
        return Response(info=[[self.cfg.model]])

    def at_cgmr(self, kind: str, args: str) -> Response:
        return Response(info=[[self.cfg.revision]])

    def at_cgsn(self, kind: str, args: str) -> Response:
        return Response(info=[[self.cfg.imei]])

    def at_cimi(self, kind: str, args: str) -> Response:
        err = self.sim_error()
        return Response(final=err) if err else Response(info=[[self.cfg.imsi]])

    def at_cgdcont(self, kind: str, args: str) -> Response:
        if kind == "=":
            a = split_args(args)
            if len(a) < 3 or a[0] != "1":
                return Response(final=ERROR)
            self.apn = a[2]
        elif kind == "?":
            return Response(info=[['+CGDCONT: 1,"IP","%s","0.0.0.0",0,0' % self.apn_now()]])
        return Response()

    def apn_now(self) -> str:
        return getattr(self, "apn", "")

    def at_cgact(self, kind: str, args: str) -> Response:
        if kind == "?":
            return Response(info=[["+CGACT: 1,%d" % self.pdp_active]])
        a = split_args(args)
        if a[0] == "1":
            if not self.registered():
                return Response(final=self.cme(30))
            self.pdp_active = True
        elif a[0] == "0":
            self.pdp_active = False
        return Response()

    def at_cgatt(self, kind: str, args: str) -> Response:
        if kind == "?":
            return Response(info=[["+CGATT: %d" % self.registered()]])
        if args == "1" and not self.registered():
            return Response(final=self.cme(30))
        return Response()

    def at_cgpaddr(self, kind: str, args: str) -> Response:
        if not self.pdp_active:
            return Response(info=[["+CGPADDR: 1,0.0.0.0"]])
        return Response(info=[["+CGPADDR: 1,%s" % self.cfg.ip]])
