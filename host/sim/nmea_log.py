"""Read a recorded NMEA log as (sentence, epoch offset) pairs for replay.

Formats: plain NMEA logs (gpsd's regression logs: `#` comment lines are skipped) and
GnssLogger exports (`NMEA,<sentence>,<unix ms>`). The replay clock follows the receiver's
own UTC time-of-day in the sentences, never the wall clock; midnight wraps forward and a
clock that steps back (two logs joined) restarts the epoch count instead of going negative.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Sentences whose first field is the UTC time of day.
_TIMED = {"GGA", "RMC", "GNS", "GLL", "ZDA", "GST", "GBS", "GRS"}
_DAY_S = 86400.0


@dataclass(frozen=True)
class LogLine:
    data: bytes  # the sentence as the receiver sent it, ending in CR LF
    t_s: float  # seconds since the log's first timed sentence (monotonic, for pacing)


def _time_of_day(sentence: bytes) -> float | None:
    """hhmmss.sss of a timed sentence, in seconds; None when absent or unparsable."""
    if not sentence.startswith(b"$") or len(sentence) < 7:
        return None
    body = sentence[1:].split(b"*", 1)[0].split(b",")
    kind = body[0][-3:].decode("ascii", "replace")
    # RMB carries no time; GLL has it in field 5.
    field = body[5] if kind == "GLL" and len(body) > 5 else (body[1] if len(body) > 1 else b"")
    if kind not in _TIMED or len(field) < 6:
        return None
    try:
        return int(field[0:2]) * 3600 + int(field[2:4]) * 60 + float(field[4:])
    except ValueError:
        return None


def raw_sentences(path: Path) -> Iterator[bytes]:
    """The log's lines as the receiver sent them: comments skipped, GnssLogger unwrapped."""
    with path.open("rb") as f:
        for line in f:
            if line.startswith(b"#"):
                continue
            if line.startswith(b"NMEA,"):  # GnssLogger: NMEA,<sentence>,<unix ms>
                line = line[5:].rsplit(b",", 1)[0] + b"\r\n"
            if line.strip():
                yield line  # a cut-off last line stays cut off, as the receiver sent it


def read_log(path: str | Path, max_gap_s: float = 5.0) -> Iterator[LogLine]:
    """Lines of the log with a pacing clock. Gaps longer than `max_gap_s` in the receiver's
    time (logs with removed stretches, midnight, joined logs) are shortened to `max_gap_s`
    for pacing only; the sentences themselves are never changed."""
    clock = 0.0
    last_tod: float | None = None
    for sentence in raw_sentences(Path(path)):
        tod = _time_of_day(sentence)
        if tod is not None:
            if last_tod is not None:
                step = tod - last_tod
                if step < -_DAY_S / 2:
                    step += _DAY_S  # midnight
                if step < 0 or step > max_gap_s:
                    step = max_gap_s if step > 0 else 0.0
                clock += step
            last_tod = tod
        yield LogLine(sentence, clock)
