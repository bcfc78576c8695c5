"""Summarise a recorded NMEA log with pynmea2, a decoder independent of our firmware's.

`inspect_log(path)` returns plain data (JSON-ready): sentence counts by talker and type,
rejected lines by reason, the UTC time span, epochs and fix epochs, satellites and C/N0
per constellation from GSV. `format_report` renders it for a terminal.

Like the badge's reader, a sentence starts at every '$', wherever it is in a line: binary
(UBX, RTCM) or a logger's prefix before it is skipped and counted in `noise_bytes`, a
sentence cut by the next '$' (an overrun splice) is rejected as `truncated`, and a log
whose lines end in CR alone is read sentence by sentence.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, time
from itertools import pairwise
from pathlib import Path
from typing import Any

import pynmea2

from host.sim.nmea_log import raw_sentences

REJECT_REASONS = ("bad_checksum", "no_checksum", "parse_error", "non_nmea", "truncated")

# GSV talker -> constellation. GN (combined) GSV is rare; it is kept under its own name.
_CONSTELLATIONS = {
    "GP": "GPS",
    "GL": "GLONASS",
    "GA": "Galileo",
    "GB": "BeiDou",
    "BD": "BeiDou",
    "GQ": "QZSS",
    "QZ": "QZSS",
    "GI": "NavIC",
    "GN": "GNSS (GN)",
}
_CHECKSUM_RE = re.compile(rb"\*([0-9A-Fa-f]{2})\s*$")
_START_RE = re.compile(rb"\$")


class NoNmeaError(ValueError):
    """The file holds no NMEA sentence at all."""


@dataclass
class _Tally:
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    noise_bytes: int = 0
    first: tuple[date | None, time] | None = None
    last: tuple[date | None, time] | None = None
    first_date: date | None = None
    last_date: date | None = None
    epochs: int = 0
    fix_epochs: int = 0
    epoch_tod: time | None = None
    epoch_has_fix: bool = False
    epoch_steps_s: list[float] = field(default_factory=list)
    sats: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    cn0: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


def classify(line: bytes) -> str | None:
    """Reject reason for a raw line, or None when its checksum is present and right."""
    if not line.startswith((b"$", b"!")) or not line.isascii():
        return "non_nmea"
    match = _CHECKSUM_RE.search(line)
    if match is None:
        return "bad_checksum" if b"*" in line else "no_checksum"
    body = line[1 : match.start()]
    xor = 0
    for byte in body:
        xor ^= byte
    return None if xor == int(match.group(1), 16) else "bad_checksum"


def _address(sentence: str) -> tuple[str, str]:
    """(talker, type) from the address field; proprietary sentences get talker "P"."""
    addr = sentence[1:].split(",", 1)[0].split("*", 1)[0]
    if addr.startswith("P"):
        return "P", addr[1:]
    return addr[:2], addr[2:]


def _has_fix(msg: pynmea2.NMEASentence) -> bool | None:
    """Whether this sentence reports a valid fix; None when it says nothing about one."""
    if isinstance(msg, pynmea2.GGA):
        return bool(msg.gps_qual)
    if isinstance(msg, pynmea2.RMC):
        return msg.status == "A"
    return None


def _note_time(t: _Tally, msg: pynmea2.NMEASentence) -> None:
    d = getattr(msg, "datestamp", None)
    if isinstance(d, date):
        t.last_date = d
        t.first_date = t.first_date or d
    tod = getattr(msg, "timestamp", None)
    if not isinstance(tod, time):
        return
    stamp = (t.last_date, tod)
    t.first = t.first or stamp
    t.last = stamp
    if tod != t.epoch_tod:  # a new epoch: close the previous one
        if t.epoch_tod is not None:
            step = _seconds(tod) - _seconds(t.epoch_tod)
            if step > 0:
                t.epoch_steps_s.append(step)
        t.fix_epochs += t.epoch_has_fix
        t.epochs += 1
        t.epoch_tod, t.epoch_has_fix = tod, False


def _note_gsv(t: _Tally, talker: str, msg: pynmea2.NMEASentence) -> None:
    name = _CONSTELLATIONS.get(talker, talker)
    # After count, index and satellites in view come groups of four (PRN, elevation,
    # azimuth, C/N0); NMEA 4.10+ appends a signal id, which pynmea2 would otherwise read
    # as the PRN of a fifth... or of a missing group.
    groups = (len(msg.data) - 3) // 4
    for i in range(1, min(groups, 4) + 1):
        prn = getattr(msg, f"sv_prn_num_{i}", "")
        if not prn:
            continue
        t.sats[name].add(prn)
        snr = getattr(msg, f"snr_{i}", "")
        if snr and snr.isdigit():
            t.cn0[name].append(int(snr))


def _feed_line(t: _Tally, line: bytes) -> None:
    """Every sentence of a raw line, resynchronised at each '$' (see the module docstring)."""
    starts = [m.start() for m in _START_RE.finditer(line)]
    if not starts:
        _feed(t, line)  # no '$': junk, or an AIS '!' sentence, classified whole
        return
    t.noise_bytes += len(line[: starts[0]].strip())
    for a, b in pairwise(starts):
        if _CHECKSUM_RE.search(line[a:b]) is None:
            t.rejected["truncated"] += 1  # cut by the next '$' before its checksum
        else:
            _feed(t, line[a:b])  # a whole sentence (lines ended by CR alone)
    _feed(t, line[starts[-1] :])


def _feed(t: _Tally, line: bytes) -> None:
    reason = classify(line)
    if reason is not None:
        t.rejected[reason] += 1
        return
    sentence = line.decode("ascii").strip()
    try:
        msg = pynmea2.parse(sentence, check=True)
    except pynmea2.ChecksumError:
        t.rejected["bad_checksum"] += 1
        return
    except (pynmea2.ParseError, ValueError, TypeError):
        t.rejected["parse_error"] += 1  # includes sentence types pynmea2 does not know
        return
    talker, kind = _address(sentence)
    t.counts[(talker, kind)] += 1
    try:
        _note_time(t, msg)
        fix = _has_fix(msg)
    except (ValueError, TypeError, AttributeError):
        return  # empty or malformed fields: counted, but no time or fix from it
    if fix:
        t.epoch_has_fix = True
    if kind == "GSV":
        _note_gsv(t, talker, msg)


def _iso(stamp: tuple[date | None, time] | None, fallback: date | None) -> str | None:
    if stamp is None:
        return None
    # A time seen before the log's first date gets that date (wrong only across midnight).
    d = stamp[0] or fallback
    tod = stamp[1].replace(tzinfo=None).isoformat()  # pynmea2 marks it UTC; we print Z
    return f"{d.isoformat()}T{tod}Z" if d else f"{tod}Z"


def _seconds(x: time) -> float:
    return x.hour * 3600 + x.minute * 60 + x.second + x.microsecond / 1e6


def _span_s(t: _Tally) -> float | None:
    if t.first is None or t.last is None:
        return None
    span = _seconds(t.last[1]) - _seconds(t.first[1])
    d0, d1 = t.first[0] or t.first_date, t.last[0] or t.first_date
    if d0 and d1:
        span += (d1 - d0).days * 86400
    return span


def inspect_log(path: str | Path) -> dict[str, Any]:
    """Summary of the log; raises OSError (missing, a directory...), or NoNmeaError when
    no sentence of the file could be read (with the rejection counts) or it is a device."""
    path = Path(path)
    if path.exists() and not (path.is_file() or path.is_fifo() or path.is_dir()):
        raise NoNmeaError(f"{path}: not a regular file")  # /dev/zero would never end
    t = _Tally()
    for line in raw_sentences(path):
        _feed_line(t, line)
    t.fix_epochs += t.epoch_has_fix  # close the last epoch
    accepted = sum(t.counts.values())
    if accepted == 0:
        why = ", ".join(f"{n} {reason}" for reason, n in sorted(t.rejected.items()))
        raise NoNmeaError(f"{path}: no NMEA sentence in this file" + (f" ({why})" if why else ""))
    span = _span_s(t)
    by_talker: dict[str, dict[str, int]] = defaultdict(dict)
    for (talker, kind), n in sorted(t.counts.items()):
        by_talker[talker][kind] = n
    return {
        "file": str(path),
        "sentences": accepted,
        "by_talker": dict(by_talker),
        "rejected": {reason: t.rejected[reason] for reason in REJECT_REASONS},
        "noise_bytes": t.noise_bytes,
        "first_utc": _iso(t.first, t.first_date),
        "last_utc": _iso(t.last, t.first_date),
        "span_s": span,
        "epochs": t.epochs,
        "fix_epochs": t.fix_epochs,
        # From the median step between epochs: gaps, joined logs and date jumps (a receiver
        # before and after its first fix) do not skew it.
        "epoch_rate_hz": 1 / statistics.median(t.epoch_steps_s) if t.epoch_steps_s else None,
        "constellations": {
            name: {
                "satellites": len(t.sats[name]),
                "cn0_dbhz": _cn0(t.cn0.get(name, [])),
            }
            for name in sorted(t.sats)
        },
    }


def _cn0(values: list[int]) -> dict[str, float] | None:
    if not values:
        return None
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def format_report(r: dict[str, Any]) -> str:
    lines = [f"{r['file']}: {r['sentences']} sentences", "", "talker  type    count"]
    for talker, kinds in r["by_talker"].items():
        for kind, n in kinds.items():
            lines.append(f"{talker:<7} {kind:<7} {n:>5}")
    lines += ["", "rejected: " + ", ".join(f"{k} {v}" for k, v in r["rejected"].items())]
    lines[-1] += f"; {r['noise_bytes']} bytes of other data skipped"
    lines.append(f"time span: {r['first_utc']} .. {r['last_utc']} ({_fmt(r['span_s'], 's')})")
    lines.append(
        f"epochs: {r['epochs']} ({_fmt(r['epoch_rate_hz'], 'Hz')}), with a valid fix: "
        f"{r['fix_epochs']}"
    )
    lines += ["", "constellation   sats  C/N0 min/median/max dB-Hz"]
    for name, c in r["constellations"].items():
        cn0 = c["cn0_dbhz"]
        text = f"{cn0['min']}/{cn0['median']:g}/{cn0['max']}" if cn0 else "-"
        lines.append(f"{name:<15} {c['satellites']:>4}  {text}")
    return "\n".join(lines)


def _fmt(value: float | None, unit: str) -> str:
    return f"{value:.3g} {unit}" if value is not None else f"- {unit}"
