"""A NOR flash chip in RAM as a block device for vfs.VfsLfs2, that can lose power.

The unix port of MicroPython mounts littlefs (the ESP32's filesystem) on any object with
readblocks/writeblocks/ioctl (the extended interface: byte offsets, erase by ioctl 6).
This one behaves like the ESP32's SPI NOR flash: 4 KB erase blocks, erased bytes read
0xFF, a program only clears bits (new = old & data), an erase sets a whole block to 0xFF.

Power loss: `arm(n)` cuts the power at the n-th block operation from now. That operation
is torn (a program leaves a random prefix of its bytes programmed and one byte half done;
an erase leaves a random prefix of the block erased and the rest as it was), it and every
later operation fail with -EIO until revive(): littlefs stops where it was, the firmware
sees OSError(EIO), and `dead` says the power is gone.
Nothing after the cut reaches the chip. Counters for wear and cost: ops, erases per block,
bytes programmed.
"""

import random

_EIO = -5


class NorFlash:
    def __init__(self, blocks=64, block_size=4096):
        self.block_size = block_size
        self.blocks = blocks
        self.data = bytearray(b"\xff" * (blocks * block_size))
        self._ff = b"\xff" * block_size
        self.erases = [0] * blocks
        self.programmed = 0
        self.ops = 0
        self.cut_at = 0  # 0: no cut armed
        self.dead = False

    def arm(self, n):
        """Cut the power at the n-th operation (n >= 1) from now."""
        self.cut_at = self.ops + n

    def disarm(self):
        self.cut_at = 0

    def revive(self):
        """Power back: the chip keeps what it holds; nothing is armed."""
        self.dead = False
        self.cut_at = 0

    def _cut_now(self):
        if self.dead:
            return None
        self.ops += 1
        return self.cut_at and self.ops >= self.cut_at

    def readblocks(self, block, buf, off=0):
        if self.dead:
            return _EIO
        a = block * self.block_size + off
        buf[:] = memoryview(self.data)[a:a + len(buf)]
        return 0

    def writeblocks(self, block, buf, off=0):
        cut = self._cut_now()
        if cut is None:
            return _EIO
        a = block * self.block_size + off
        n = len(buf)
        if cut:
            n = random.getrandbits(16) % n  # bytes fully programmed before the cut
        data = self.data
        if data[a:a + n] == self._ff[:n]:
            data[a:a + n] = memoryview(buf)[:n]
        else:
            for i in range(n):
                data[a + i] &= buf[i]
        self.programmed += n
        if cut:
            if n < len(buf):  # the byte in flight: some of its bits cleared
                data[a + n] &= buf[n] | random.getrandbits(8)
            return self._die()
        return 0

    def erase(self, block):
        cut = self._cut_now()
        if cut is None:
            return _EIO
        a = block * self.block_size
        n = self.block_size
        if cut:
            n = random.getrandbits(16) % n
        self.data[a:a + n] = self._ff[:n]
        self.erases[block] += 1
        if cut:
            return self._die()
        return 0

    def _die(self):
        self.dead = True
        self.cut_at = 0
        return _EIO

    def ioctl(self, op, arg):
        if op == 4:  # block count
            return self.blocks
        if op == 5:  # block size
            return self.block_size
        if op == 6:  # erase
            return self.erase(arg)
        return 0  # init, deinit, sync
