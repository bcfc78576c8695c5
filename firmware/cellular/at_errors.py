"""What a modem's final result code means: `AtError` and the +CME ERROR codes.

The CME wording table (cellular/cme_reasons.py) is imported only when an error arrives. A
modem in verbose mode (`AT+CMEE=2`) sends the text instead of the number; `cme_code(text)`
maps it back so that both forms mean one thing.
"""

from micropython import const

# kinds of AtError (nouns)
ERROR = "error"  # a bare ERROR
CME = "cme"
CMS = "cms"
TIMEOUT = "timeout"
ABORTED = "aborted"  # NO CARRIER and friends

CME_SIM_NOT_INSERTED = const(10)
CME_SIM_FAILURE = const(13)
CME_SIM_BUSY = const(14)


# Worth retrying as they are (after a pause): the SIM or the network is still busy.
TRANSIENT_CME = (CME_SIM_BUSY, 30, 31, 100, 134, 148)
# The SIM is missing or dead: nothing a retry fixes (13 is transient only right after boot,
# see modem.py).
SIM_ABSENT_CME = (CME_SIM_NOT_INSERTED, 15)


def cme_code(text):
    """'10' or 'SIM not inserted' -> 10; unknown wording -> None."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    from cellular.cme_reasons import CME_REASONS  # cold: only when an error arrives

    low = text.lower()
    for code, reason in CME_REASONS.items():
        if reason.lower() == low:
            return code
    return None


def cme_reason(code, text):
    from cellular.cme_reasons import CME_REASONS

    return CME_REASONS.get(code, text)


class AtError(OSError):
    """A command did not end in OK. kind: ERROR, CME, CMS, TIMEOUT, ABORTED; code: the
    CME/CMS number (None when unknown); reason: words; command: what was sent."""

    def __init__(self, kind, code=None, reason="", command=""):
        super().__init__("%s %s: %s%s" % (command, kind, reason,
                                          "" if code is None else " (%d)" % code))
        self.kind = kind
        self.code = code
        self.reason = reason
        self.command = command

    def transient(self):
        if self.kind == CME:
            return self.code in TRANSIENT_CME
        return self.kind in (TIMEOUT, ERROR, ABORTED)

    def sim_absent(self):
        return self.kind == CME and self.code in SIM_ABSENT_CME


def decode_final(line, command=""):
    """A final result code line -> None (OK), an AtError, or False (not a final code)."""
    if line == b"OK":
        return None
    if line == b"ERROR":
        return AtError(ERROR, None, "command refused", command)
    for prefix, kind in ((b"+CME ERROR:", CME), (b"+CMS ERROR:", CMS)):
        if line.startswith(prefix):
            text = line[len(prefix):].decode().strip()
            code = cme_code(text)
            if kind == CME:
                reason = cme_reason(code, text) if code is not None else text
            else:
                reason = text if code is None else "SMS error"
            return AtError(kind, code, reason, command)
    if line in (b"NO CARRIER", b"BUSY", b"NO ANSWER", b"NO DIALTONE"):
        return AtError(ABORTED, None, line.decode(), command)
    return False
