"""Ed25519 signatures (RFC 8032, pure Ed25519) in pure Python for MicroPython and CPython.

    key = SigningKey(seed32)      # derives the key pair once; key.public is 32 bytes
    sig = key.sign(msg)           # 64 bytes, deterministic
    verify(public, msg, sig)      # True or False, never raises on bad input

Field elements are Python ints reduced mod P with `%`; inversion is Fermat's pow(x, P-2, P).
Points are extended coordinates (X, Y, Z, T) with x = X/Z, y = Y/Z, xy = T/Z and use the
formulas of RFC 8032 section 5.1.4.

Speed: the costly part of signing is r*B for the fixed base point B. It uses a table of
precomputed multiples of B, built once on first use and kept for the life of the process
(module global); SigningKey() is that first use, as deriving the public key needs it too.
Writing r in 64 signed radix-16 digits e_i in [-8, 8],
    r*B = sum_g 16^g * sum_j e_(8j+g) * (16^(8j) * B)      for g = 7..0, j = 0..7,
so with a table row j holding 1..8 times 16^(8j)*B (affine, as y+x, y-x, 2dxy) one
signature costs 64 mixed additions and 28 doublings instead of about 250 of each.
The table is 8 rows x 8 points x 96 bytes = 6 KB, kept as 8 bytearrays of 768 bytes (no
single large block of the ESP32 heap). Memory over speed: 16 rows (e_(4j+g), 12 doublings)
would save 16 doublings, about 0.3 ms of a 4 ms signature on the unix port, for 6 KB more
of a 100 KB heap.

This code is not constant time (Python big ints are not); digits equal to zero add the
neutral element so that the sequence of point operations does not depend on the nonce.
"""

from sign.sha512 import SHA512, sha512

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # order of the base point
# d = -121665/121666 mod P, 2*d and sqrt(-1) = 2^((P-1)/4) mod P; literals so that importing
# the module computes nothing (test_ed25519 checks them against their definitions).
D = 37095705934669439343138083508754565189542113879843219016388785533085940283555
D2 = 16295367250680780974490674513165176452449235426866156013048779062215315747161
SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752
_BASE_Y_ENC = b"Xfffffffffffffffffffffffffffffff"  # B: 0x58 then 31 x 0x66 (y = 4/5, x even)

_ROWS = 8  # table rows: row j holds 1..8 times 16^(8j) * B
_SPAN = 8  # digits per row (64 // _ROWS): row j+1's base is 16^_SPAN times row j's
_POINT_BYTES = 96  # y+x, y-x, 2dxy, each 32 bytes little-endian

_table = None  # list of _ROWS bytearrays, built by _base_table() on first use


# -- points ---------------------------------------------------------------------------


def _double(p):
    x1, y1, z1, _ = p
    a = x1 * x1 % P
    b = y1 * y1 % P
    c = 2 * z1 * z1 % P
    h = a + b
    e = h - (x1 + y1) * (x1 + y1) % P
    g = a - b
    f = c + g
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _add(p, ypx, ymx, z2, t2d):
    """p + q where q is given as y+x, y-x, 2z, 2dt (z2 = 2 for an affine table point)."""
    x1, y1, z1, t1 = p
    a = (y1 - x1) * ymx % P
    b = (y1 + x1) * ypx % P
    c = t1 * t2d % P
    d = z1 * z2 % P
    e = b - a
    f = d - c
    g = d + c
    h = b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _cached(p):
    """Extended point -> (y+x, y-x, 2z, 2dt), the operand form of _add."""
    x, y, z, t = p
    return ((y + x) % P, (y - x) % P, 2 * z % P, t * D2 % P)


def _encode(p):
    x, y, z, _ = p
    zi = pow(z, P - 2, P)
    x = x * zi % P
    y = y * zi % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def _decode(s):
    """32 bytes -> extended point, or None if they encode no curve point (RFC 8032 5.1.3)."""
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= P:
        return None
    yy = y * y % P
    u = yy - 1
    v = D * yy + 1
    v3 = v * v % P * v % P
    x = u * v3 % P * pow(u * v3 % P * v3 % P * v % P, (P - 5) // 8, P) % P
    vxx = v * x % P * x % P
    if vxx != u % P:
        if vxx != -u % P:
            return None
        x = x * SQRT_M1 % P
    if x == 0 and sign:
        return None
    if x & 1 != sign:
        x = P - x
    return (x, y, 1, x * y % P)


def _digits(n):
    """n (0 <= n < 2^255) as 64 signed radix-16 digits in [-8, 8], least significant first.

    Stored plus 8 in a bytearray (0..16): 64 bytes instead of a 64-slot list.
    """
    raw = n.to_bytes(32, "little")
    e = bytearray(64)
    carry = 0
    for i in range(63):
        v = (raw[i >> 1] >> ((i & 1) << 2) & 15) + carry
        carry = (v + 8) >> 4
        e[i] = v - (carry << 4) + 8
    e[63] = (raw[31] >> 4) + carry + 8  # n < 2^255 keeps the top digit within 8
    return e


# -- fixed-base table -----------------------------------------------------------------


def _base_table():
    global _table
    if _table is None:
        # All rows first, before the arithmetic litters the heap: they end up side by side.
        rows = [bytearray(8 * _POINT_BYTES) for _ in range(_ROWS)]
        p = _decode(_BASE_Y_ENC)
        for row in rows:
            _fill_row(row, p)
            for _ in range(4 * _SPAN):  # next row's base: 16^_SPAN times this one
                p = _double(p)
        _table = rows
    return _table


def _fill_row(row, p):
    """1p..8p into row in affine (y+x, y-x, 2dxy), one inversion for all eight."""
    c = _cached(p)
    pts = [p]
    for _ in range(7):
        pts.append(_add(pts[-1], *c))
    # Montgomery's trick: invert the product of the Zs once, then peel each inverse off.
    acc = [1] * 8
    prod = 1
    for i in range(8):
        acc[i] = prod
        prod = prod * pts[i][2] % P
    inv = pow(prod, P - 2, P)
    for i in range(7, -1, -1):
        x, y, z, _ = pts[i]
        zi = inv * acc[i] % P
        inv = inv * z % P
        x = x * zi % P
        y = y * zi % P
        o = i * _POINT_BYTES
        row[o : o + 32] = ((y + x) % P).to_bytes(32, "little")
        row[o + 32 : o + 64] = ((y - x) % P).to_bytes(32, "little")
        row[o + 64 : o + 96] = (x * y % P * D2 % P).to_bytes(32, "little")


def _mul_base(n):
    """n*B for 0 <= n < 2^255, with the precomputed table."""
    rows = _base_table()
    e = _digits(n)
    fb = int.from_bytes
    q = (0, 1, 1, 0)
    for g in range(_SPAN - 1, -1, -1):
        if g != _SPAN - 1:
            q = _double(_double(_double(_double(q))))
        for j in range(_ROWS):
            dg = e[_SPAN * j + g] - 8
            if dg > 0:
                o = (dg - 1) * _POINT_BYTES
                row = rows[j]
                q = _add(
                    q,
                    fb(row[o : o + 32], "little"),
                    fb(row[o + 32 : o + 64], "little"),
                    2,
                    fb(row[o + 64 : o + 96], "little"),
                )
            elif dg < 0:  # -(x, y) = (-x, y): swap y+x and y-x, negate 2dxy
                o = (-dg - 1) * _POINT_BYTES
                row = rows[j]
                q = _add(
                    q,
                    fb(row[o + 32 : o + 64], "little"),
                    fb(row[o : o + 32], "little"),
                    2,
                    P - fb(row[o + 64 : o + 96], "little"),
                )
            else:
                q = _add(q, 1, 1, 2, 0)  # the neutral element, for a uniform sequence
    return q


def _mul_var(n, p):
    """n*p for 0 <= n < 2^255 and any point p (signed 4-bit window), used by verify()."""
    c = _cached(p)
    mult = [c]
    q = p
    for _ in range(7):
        q = _add(q, *c)
        mult.append(_cached(q))
    e = _digits(n)
    q = (0, 1, 1, 0)
    for i in range(63, -1, -1):
        q = _double(_double(_double(_double(q))))
        dg = e[i] - 8
        if dg > 0:
            q = _add(q, *mult[dg - 1])
        elif dg < 0:
            ypx, ymx, z2, t2d = mult[-dg - 1]
            q = _add(q, ymx, ypx, z2, P - t2d)
    return q


# -- keys -----------------------------------------------------------------------------


def _scalar(digest64):
    return int.from_bytes(digest64, "little") % L


class SigningKey:
    """An Ed25519 key pair from a 32-byte seed; `public` is derived once, here."""

    def __init__(self, seed):
        if len(seed) != 32:
            raise ValueError("Ed25519 seed must be 32 bytes")
        h = sha512(seed)
        a = bytearray(h[:32])
        a[0] &= 248  # clamp (RFC 8032 5.1.5)
        a[31] &= 127
        a[31] |= 64
        self._a = int.from_bytes(a, "little") % L  # a*B == (a mod L)*B
        self._prefix = h[32:]
        self.public = _encode(_mul_base(self._a))

    def sign(self, msg):
        """64-byte signature R || S of msg (RFC 8032 5.1.6)."""
        h = SHA512(self._prefix)
        h.update(msg)
        r = _scalar(h.digest())
        enc_r = _encode(_mul_base(r))
        h = SHA512(enc_r)
        h.update(self.public)
        h.update(msg)
        s = (r + _scalar(h.digest()) * self._a) % L
        return enc_r + s.to_bytes(32, "little")


def verify(public, msg, sig):
    """True if sig is a valid signature of msg by public (RFC 8032 5.1.7, cofactorless).

    Checks encode(s*B - k*A) == R as OpenSSL does; refuses s >= L and non-canonical or
    off-curve keys. Malformed input gives False.
    """
    try:
        if len(sig) != 64 or len(public) != 32:
            return False
        s = int.from_bytes(sig[32:], "little")
        if s >= L:
            return False
        a = _decode(public)
        if a is None:
            return False
        h = SHA512(sig[:32])
        h.update(public)
        h.update(msg)
        k = _scalar(h.digest())
        x, y, z, t = a
        neg_ka = _mul_var(k, (P - x, y, z, P - t))
        r = _add(_mul_base(s), *_cached(neg_ka))
        return _encode(r) == bytes(sig[:32])
    except (TypeError, ValueError):
        return False
