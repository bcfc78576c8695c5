"""CPython only: the firmware's Ed25519 and SHA-512 agree with OpenSSL (`cryptography`)
and hashlib on random seeds and messages, in both directions."""

import hashlib
import os
import random

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sign.ed25519 import SigningKey, verify
from sign.sha512 import SHA512, sha512

RNG = random.Random(8032)  # reproducible cases; failures print the seed and message


def rand_bytes(n):
    return bytes(RNG.getrandbits(8) for _ in range(n))


def openssl_public(seed):
    return (
        Ed25519PrivateKey.from_private_bytes(seed)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )


def test_public_keys_and_signatures_match_openssl():
    for _ in range(40):
        seed = rand_bytes(32)
        msg = rand_bytes(RNG.choice((0, 1, 32, 32, 111, 112, 200, 1000)))
        key = SigningKey(seed)
        assert key.public == openssl_public(seed), seed.hex()
        sig = key.sign(msg)
        Ed25519PublicKey.from_public_bytes(key.public).verify(sig, msg)  # raises if bad
        # Ed25519 is deterministic, so OpenSSL must produce the same bytes.
        assert sig == Ed25519PrivateKey.from_private_bytes(seed).sign(msg), (seed.hex(), msg.hex())


def test_batch_digest_signatures_verify_with_openssl():
    # What the uploader signs: a 32-byte SHA-256 of the batch bytes.
    key = SigningKey(os.urandom(32))
    pub = Ed25519PublicKey.from_public_bytes(key.public)
    for _ in range(20):
        digest = hashlib.sha256(os.urandom(100)).digest()
        pub.verify(key.sign(digest), digest)


def test_firmware_verify_agrees_with_openssl_on_openssl_signatures():
    for _ in range(20):
        seed = rand_bytes(32)
        msg = rand_bytes(RNG.randrange(0, 300))
        priv = Ed25519PrivateKey.from_private_bytes(seed)
        sig = priv.sign(msg)
        pub = openssl_public(seed)
        assert verify(pub, msg, sig)
        bad = bytearray(sig)
        bad[RNG.randrange(64)] ^= 1 << RNG.randrange(8)
        try:
            Ed25519PublicKey.from_public_bytes(pub).verify(bytes(bad), msg)
            openssl_ok = True
        except InvalidSignature:
            openssl_ok = False
        assert verify(pub, msg, bytes(bad)) == openssl_ok


def test_sha512_matches_hashlib():
    for n in list(range(260)) + [1000, 4096, 10007]:
        data = rand_bytes(n)
        assert sha512(data) == hashlib.sha512(data).digest(), n
    data = rand_bytes(3000)
    s = SHA512()
    i = 0
    while i < len(data):
        step = RNG.randrange(1, 300)
        s.update(data[i : i + step])
        i += step
    assert s.digest() == hashlib.sha512(data).digest()
