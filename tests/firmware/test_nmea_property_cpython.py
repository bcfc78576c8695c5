"""Property-based tests of gnss.nmea (hypothesis; CPython only).

Two properties, on arbitrary bytes in arbitrary chunks and on real sentences from the
gpsd logs mutated field by field with their checksum recomputed (so the damage reaches
the field decoders, not only the checksum test):
- no exception escapes feed()/flush() and none reaches on_fix's caller (callback_errors);
- every '$' ends in exactly one outcome: `started` equals the accepted sentences plus each
  rejection counter, and every emitted Fix holds values in their documented ranges.
"""

import fwtest
from gnss.fix import MAX_SATS
from gnss.nmea import NmeaReader
from gnss.sentence import SentenceReader
from hypothesis import given, settings
from hypothesis import strategies as st

# every counter but `started` (what the others add up to) and `noise_bytes` (bytes)
_OUTCOMES = tuple(k for k in SentenceReader._COUNTERS if k not in ("started", "noise_bytes"))
_LOGS = (
    "ublox-zed-f9p-nmea.log",
    "quectel-eg25-g.log",
    "sl869.log",
    "nmea-rtk.log",
    "iTrek.log",
    "furuno_gl_ga.log",
)


def _check_fix(f):
    if f.lat_e7 is not None:
        assert -900000000 <= f.lat_e7 <= 900000000
    if f.lon_e7 is not None:
        assert -1800000000 <= f.lon_e7 <= 1800000000
    if f.time_s is not None:
        assert 0 <= f.time_ms <= 999 and f.tod_ms is not None
    assert 0 <= f.n_sigs <= len(f.sat_sys) == MAX_SATS and f.sats_seen <= f.n_sigs
    assert f.mode in (1, 2, 3)
    assert not (f.valid and f.stale)
    if f.cn0_count:
        assert f.cn0_min <= f.cn0_mean <= f.cn0_max == f.cn0_min + f.cn0_spread
    else:
        assert f.cn0_max == f.cn0_min == f.cn0_mean == f.cn0_spread == 0


def _feed_all(chunks):
    r = NmeaReader(_check_fix)
    for c in chunks:
        r.feed(c)
    r.flush()
    assert r.callback_errors == 0, repr(r.last_error)
    c = r.counts()
    assert c["started"] == sum(c[k] for k in _OUTCOMES), c
    return r


def _real_sentences():
    out = []
    for name in _LOGS:
        for line in fwtest.read_lines(fwtest.data_path("nmea/gpsd/" + name)):
            if line.startswith(b"$") and b"*" in line:
                out.append(line[1 : line.rindex(b"*")])
    return out


_SENTENCES = None


def _sentences():
    global _SENTENCES
    if _SENTENCES is None:
        _SENTENCES = _real_sentences()
    return _SENTENCES


def _with_checksum(body):
    cs = 0
    for b in body:
        cs ^= b
    return b"$" + body + b"*%02X\r\n" % cs


@settings(max_examples=400, deadline=None, database=None)
@given(st.binary(max_size=3000), st.lists(st.integers(1, 200), max_size=40))
def test_arbitrary_bytes(data, cuts):
    chunks = []
    i = 0
    for k in cuts:
        chunks.append(data[i : i + k])
        i += k
    chunks.append(data[i:])
    _feed_all(chunks)


_FIELD_VALUES = st.one_of(
    st.sampled_from(
        [
            b"",
            b"0",
            b"-1",
            b"99999999999",
            b"A",
            b"V",
            b"N",
            b"S",
            b"E",
            b"W",
            b"12.",
            b".5",
            b"-",
            b"+",
            b"1e5",
            b"235960",
            b"9959.9999",
            b"18100.0",
            b"00000000",
            b"310299",
            b"1,2",
            b"*",
            b"$",
        ]
    ),
    st.binary(max_size=12),
)


@st.composite
def _mutated(draw):
    body = draw(st.sampled_from(_sentences()))
    fields = body.split(b",")
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.integers(0, 3))
        i = draw(st.integers(0, len(fields) - 1))
        if op == 0 and i:
            fields[i] = draw(_FIELD_VALUES)
        elif op == 1 and len(fields) > 1:
            del fields[draw(st.integers(1, len(fields) - 1))]
        elif op == 2:
            fields.insert(i + 1, draw(_FIELD_VALUES))
        else:
            fields = fields[: i + 1]
    return _with_checksum(b",".join(fields))


@settings(max_examples=600, deadline=None, database=None)
@given(st.lists(_mutated(), min_size=1, max_size=30))
def test_mutated_real_sentences(lines):
    _feed_all(lines)
