"""CPython stand-in for MicroPython's `cryptolib.aes` (ECB = 1, CBC = 2), for firmware tests.

Built on `cryptography`; same call shapes as the badge: aes(key, mode[, iv]), then
encrypt(in[, out]) or decrypt(in[, out]) on whole 16-byte blocks. One object is either an
encryptor or a decryptor, never both, as on MicroPython. Never on the badge's path.
"""

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MODE_ECB = 1
MODE_CBC = 2


class aes:  # noqa: N801 - MicroPython's name
    def __init__(self, key, mode, iv=None):
        if mode == MODE_ECB:
            m = modes.ECB()
        elif mode == MODE_CBC:
            m = modes.CBC(bytes(iv))
        else:
            raise ValueError("mode")
        self._cipher = Cipher(algorithms.AES(bytes(key)), m)
        self._ctx = None
        self._dir = None

    def _run(self, direction, data, out):
        if self._dir is None:
            self._dir = direction
            ctx = self._cipher.encryptor() if direction == "e" else self._cipher.decryptor()
            self._ctx = ctx
        elif self._dir != direction:
            raise OSError("aes object already used the other way")
        if len(data) % 16:
            raise ValueError("blksize")
        result = self._ctx.update(bytes(data))
        if out is None:
            return result
        out[:] = result
        return None

    def encrypt(self, data, out=None):
        return self._run("e", data, out)

    def decrypt(self, data, out=None):
        return self._run("d", data, out)
