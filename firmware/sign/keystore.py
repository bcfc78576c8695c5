"""The badge's Ed25519 key on flash: made on first boot, loaded on every later boot.

    key = load_or_create("/keys/ed25519.seed")   # -> sign.ed25519.SigningKey
    device_id(key.public)                          # -> 8 bytes (docs/protocol-v1.md)

The file holds only the 32-byte seed. It is written to `path + ".tmp"` and renamed over
`path` (atomic on littlefs and POSIX), so a power cut leaves either no key or a whole one.
A key file of the wrong size is refused with ValueError instead of being replaced: a new
key would silently make a different device, which only re-provisioning should do.

On the ESP32, os.urandom is the hardware RNG, which is only truly random while the WiFi or
Bluetooth radio is on: the board layer should have the radio active at first boot.
"""

import hashlib
import os

from sign.ed25519 import SigningKey

SEED_BYTES = 32
_TMP_SUFFIX = ".tmp"


def device_id(public):
    """First 8 bytes of SHA-256(public key): the badge's self-certifying id."""
    return hashlib.sha256(public).digest()[:8]


def load_or_create(path, urandom=os.urandom):
    """SigningKey from the seed at path; on first call makes the seed with urandom(32)."""
    seed = _read(path)
    if seed is None:
        seed = bytes(urandom(SEED_BYTES))
        if len(seed) != SEED_BYTES:
            raise ValueError(f"urandom gave {len(seed)} bytes, need {SEED_BYTES}")
        _makedirs(_parent(path))
        tmp = path + _TMP_SUFFIX
        with open(tmp, "wb") as f:
            f.write(seed)
            f.flush()
        os.rename(tmp, path)
    elif len(seed) != SEED_BYTES:
        raise ValueError(f"key file {path} holds {len(seed)} bytes, expected {SEED_BYTES}")
    return SigningKey(seed)


def wipe(path):
    """Overwrite the seed with zeros and delete it (device revoked). No file: nothing to do."""
    for name in (path, path + _TMP_SUFFIX):
        try:
            size = os.stat(name)[6]
        except OSError:
            continue
        with open(name, "r+b") as f:
            f.write(bytes(size))
            f.flush()
        os.remove(name)


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:  # no key yet (ENOENT)
        return None


def _parent(path):
    i = path.rfind("/")
    return path[:i] if i > 0 else ""


def _makedirs(path):
    """mkdir -p without os.path (MicroPython has none)."""
    if not path:
        return
    try:
        os.stat(path)
        return
    except OSError:
        pass
    _makedirs(_parent(path))
    try:
        os.mkdir(path)
    except OSError:  # made meanwhile, or exists
        os.stat(path)
