"""Which fault the modem simulator injects into which upload attempt.

An upload attempt is one body handed to the modem's HTTP stack (SIMCom `AT+HTTPDATA`,
Quectel `AT+QHTTPPOST`); attempts are numbered from 1. A `FaultPlan` decides, reproducibly:
- scripted: `{attempt: kind}` (named fault at attempt k), always honoured;
- by rate: with probability `rate` (a seeded `random.Random`), an attempt gets the next
  kind of a seeded shuffle of `kinds`, cycling, so every kind comes up once `rate` has
  produced len(kinds) faults. `gap` clean attempts follow each faulted one, so that a
  retry can get through (a real network is not down for every retry either).

Fault kinds, and where the simulator applies them (modem.py):
  no_sim        the SIM drops out: the attempt's command answers +CME ERROR: 10 and so does
                AT+CPIN?, for `hold` more commands (then the SIM is re-seated)
  reg_denied    registration denied (stat 3, URC): the POST fails with no network
  signal_loss   the body reaches the host, then the signal drops: the answer is lost
                (+HTTPACTION: 1,706,0 / +QHTTPPOST: 717), registration searching, CSQ 99
  cme_error     the attempt's command answers +CME ERROR: 100 (bare ERROR with CMEE=0)
  http_5xx      a proxy in front of the host answers 503 with a JSON body
  http_timeout  the host does not answer: +HTTPACTION: 1,705,0 / +QHTTPPOST: 702 after a while
  urc_inside    a URC arrives in the middle of a response
  garbage       line noise (bytes that are no AT line) before the response
  hang          the modem stops answering until it is reset (PWRKEY, AT+CRESET, AT+CFUN=1,1)
  brownout      the modem reboots on its own: boot URCs, echo back on, HTTP service and PDP
                context gone
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

KINDS = (
    "no_sim",
    "reg_denied",
    "signal_loss",
    "cme_error",
    "http_5xx",
    "http_timeout",
    "urc_inside",
    "garbage",
    "hang",
    "brownout",
)


class FaultError(ValueError):
    pass


@dataclass
class FaultPlan:
    rate: float = 0.0
    seed: int = 1
    script: dict[int, str] = field(default_factory=dict)
    kinds: tuple[str, ...] = KINDS
    gap: int = 1
    # AT commands a no_sim / reg_denied / signal_loss condition lasts before it heals (a SIM
    # re-seated, the network back). Counted in commands, not seconds, so that it does not
    # depend on the replay speed; 12 lets the driver's own checks see it and fail.
    hold: int = 8
    injected: list[tuple[int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise FaultError(f"fault rate {self.rate} is outside 0..1")
        unknown = sorted({*self.kinds, *self.script.values()} - set(KINDS))
        if unknown:
            raise FaultError(f"unknown fault kind(s) {unknown}; known: {', '.join(KINDS)}")
        self._rng = random.Random(self.seed)
        self.attempts = 0
        self._cycle: list[str] = []
        self._clean_left = 0

    def next_attempt(self) -> str | None:
        """The fault of the next attempt, numbered across modems (a badge restarted against
        a new simulator continues the same plan)."""
        self.attempts += 1
        return self.for_attempt(self.attempts)

    def for_attempt(self, attempt: int) -> str | None:
        kind = self.script.get(attempt)
        if kind is None:
            if self._clean_left > 0:
                self._clean_left -= 1
            elif self.rate and self._rng.random() < self._draw_p():
                if not self._cycle:
                    self._cycle = list(self.kinds)
                    self._rng.shuffle(self._cycle)
                kind = self._cycle.pop()
        if kind is not None:
            self._clean_left = self.gap
            self.injected.append((attempt, kind))
        return kind

    def _draw_p(self) -> float:
        # Each fault is followed by `gap` clean attempts; draw with p such that the long-run
        # share of faulted attempts is `rate`: p / (1 + p * gap) = rate.
        if self.rate * self.gap >= 1:
            return 1.0
        return min(1.0, self.rate / (1 - self.rate * self.gap))

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for _, kind in self.injected:
            out[kind] = out.get(kind, 0) + 1
        return out


def parse_script(text: str) -> dict[int, str]:
    """'3:no_sim,7:hang' -> {3: 'no_sim', 7: 'hang'}."""
    script = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        k, _, kind = item.partition(":")
        if not k.strip().isdigit():
            raise FaultError(f"bad fault script item {item!r}: want ATTEMPT:KIND")
        if kind.strip() not in KINDS:
            raise FaultError(f"unknown fault kind {kind.strip()!r}; known: {', '.join(KINDS)}")
        script[int(k)] = kind.strip()
    return script
