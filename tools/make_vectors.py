"""Write docs/vectors/protocol-v1.json: golden bytes for wire protocol v1.

A third, deliberately plain implementation of docs/protocol-v1.md (struct + hashlib +
cryptography), independent of firmware/ and host/. The firmware tests check that their
packer and signer reproduce these bytes; the host tests check that their decoder and
verifier read them back. The key is RFC 8032 section 7.1 TEST 1's secret key, so the
vectors are reproducible. Run: .venv/bin/python tools/make_vectors.py
"""

import hashlib
import json
import pathlib
import struct

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

RECORD_FMT = "<BBHIIHiiiHHHHBBBBBB32s"
SEED_HEX = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
OUT = pathlib.Path(__file__).resolve().parent.parent / "docs" / "vectors" / "protocol-v1.json"

# Three fixes of the u-blox NEO-M9N log (gpsd's ublox-neo-m9n-nmea.log, 2020-07-11 Novato CA),
# rounded by hand, plus one record whose optional fields are all "unknown".
FIXES = [
    dict(flags=1 | (1 << 2) | (1 << 5), time_s=1594466580, time_ms=0, lat_e7=380872531,
         lon_e7=-1225576880, alt_cm=4010, acc_m=3, speed_cmps=2, course_cdeg=65535,
         hdop_x10=6, quality=2, mode=3, sats_used=24, sats_seen=38, cn0_max=47, cn0_mean=36),
    dict(flags=1 | (1 << 2) | (1 << 5), time_s=1594466581, time_ms=0, lat_e7=380872530,
         lon_e7=-1225576881, alt_cm=4020, acc_m=3, speed_cmps=0, course_cdeg=65535,
         hdop_x10=6, quality=2, mode=3, sats_used=24, sats_seen=38, cn0_max=47, cn0_mean=36),
    dict(flags=1 | (1 << 2) | (1 << 5), time_s=1594466582, time_ms=500, lat_e7=-458730001,
         lon_e7=1705039999, alt_cm=-1250, acc_m=12, speed_cmps=1389, course_cdeg=27150,
         hdop_x10=13, quality=1, mode=3, sats_used=9, sats_seen=14, cn0_max=44, cn0_mean=31),
    dict(flags=0, time_s=0, time_ms=0, lat_e7=0, lon_e7=0, alt_cm=-2147483648,
         acc_m=65535, speed_cmps=65535, course_cdeg=65535, hdop_x10=65535, quality=0,
         mode=1, sats_used=0, sats_seen=0, cn0_max=0, cn0_mean=0),
]
FIELDS = ["flags", "time_s", "time_ms", "lat_e7", "lon_e7", "alt_cm", "acc_m", "speed_cmps",
          "course_cdeg", "hdop_x10", "quality", "mode", "sats_used", "sats_seen", "cn0_max",
          "cn0_mean"]


def pack(seq, prev_hash, f):
    return struct.pack(RECORD_FMT, 1, 1, f["flags"], seq, f["time_s"], f["time_ms"],
                       f["lat_e7"], f["lon_e7"], f["alt_cm"], f["acc_m"], f["speed_cmps"],
                       f["course_cdeg"], f["hdop_x10"], f["quality"], f["mode"],
                       f["sats_used"], f["sats_seen"], f["cn0_max"], f["cn0_mean"], prev_hash)


# Compact encoding (docs/protocol-v1.md "Compact batches"): mask bit -> field name.
COMPACT_BITS = ["lat_e7", "lon_e7", "speed_cmps", "course_cdeg", "alt_cm", "time_s", "time_ms",
                "acc_m", "hdop_x10", "cn0_mean", "cn0_max", "sats_used", "sats_seen", "flags",
                "quality", "mode", "kind", "ver"]
STEP_PREDICTED = {"time_s", "lat_e7", "lon_e7", "alt_cm"}


def leb128(n):
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def compact_stream(raws):
    """First record whole; then mask + zigzag deltas against the prediction (or verbatim)."""
    names = ["ver", "kind", "flags", "seq"] + FIELDS[1:]
    rows = [dict(zip(names, struct.unpack("<BBHIIHiiiHHHHBBBBBB", r[:40]), strict=True))
            for r in raws]
    out = bytearray(raws[0])
    for k in range(1, len(rows)):
        cur, prev = rows[k], rows[k - 1]
        prev2 = rows[k - 2] if k >= 2 else prev
        mask, deltas = 0, b""
        for bit, name in enumerate(COMPACT_BITS):
            guess = 2 * prev[name] - prev2[name] if name in STEP_PREDICTED else prev[name]
            d = cur[name] - guess
            if d:
                mask |= 1 << bit
                deltas += leb128(2 * d if d >= 0 else -2 * d - 1)
        enc = leb128(mask) + deltas
        out += enc if len(enc) <= 43 else leb128(1 << 18) + raws[k][:40]
    return bytes(out)


def main():
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(SEED_HEX))
    pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    device_id = hashlib.sha256(pub).digest()[:8]
    records, prev = [], bytes(32)
    for seq, f in enumerate(FIXES, start=1):
        raw = pack(seq, prev, f)
        h = hashlib.sha256(raw).digest()
        records.append(dict(seq=seq, fields={k: f[k] for k in FIELDS}, prev_hash=prev.hex(),
                            hex=raw.hex(), sha256=h.hex()))
        prev = h
    batches = []
    for name, recs, nonce in (("first_three", records[:3], bytes(range(8))),
                              ("last_one", records[3:], bytes.fromhex("a1a2a3a4a5a6a7a8"))):
        body = struct.pack("<4sBBH8s8s", b"VPB1", 1, 0, len(recs), device_id, nonce)
        body += b"".join(bytes.fromhex(r["hex"]) for r in recs)
        msg = hashlib.sha256(body).digest()
        sig = key.sign(msg)
        batches.append(dict(name=name, nonce=nonce.hex(), seqs=[r["seq"] for r in recs],
                            signed_message_sha256=msg.hex(), signature=sig.hex(),
                            hex=(body + sig).hex()))
    raws = [bytes.fromhex(r["hex"]) for r in records]
    nonce = bytes.fromhex("c0c1c2c3c4c5c6c7")
    header = struct.pack("<4sBBH8s8s", b"VPB1", 1, 1, len(raws), device_id, nonce)
    msg = hashlib.sha256(header + b"".join(raws)).digest()  # over the canonical records
    sig = key.sign(msg)
    stream = compact_stream(raws)
    batches.append(dict(name="all_four_compact", nonce=nonce.hex(), seqs=[1, 2, 3, 4],
                        signed_message_sha256=msg.hex(), signature=sig.hex(),
                        compact_stream=stream.hex(), hex=(header + stream + sig).hex()))
    doc = dict(
        about="Golden vectors for docs/protocol-v1.md, written by tools/make_vectors.py",
        record_struct=RECORD_FMT, seed=SEED_HEX, public_key=pub.hex(),
        device_id=device_id.hex(), records=records, batches=batches)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
