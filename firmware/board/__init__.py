"""The board layer: the only code that touches hardware (machine, network, esp32).

`get_board(**options)` returns board.esp32.Board on the badge and board.unix.Board
elsewhere (the unix port and CPython), which connects the same interface to sockets,
files and a host URL. A board offers:
- `fs_root`: directory for the key store and the record log;
- `open_gnss()`: a stream whose `readinto(buf)` returns the bytes read, 0 at the end of
  the stream, None when nothing is waiting (a UART between sentences);
- `gnss_write(data)`: bytes to the receiver; `gnss_control()`: the receiver's command set
  (gnss/control.py: output sentences, rate, power saving) for the configured `gnss_kind`;
- `uplink()`: an object with `post(path, body) -> (status, dict)`, or None when offline;
- `note_heap()` / `mem_peak()`: the app calls note_heap() at quiet points right after a
  gc.collect(); mem_peak() is the largest live heap (gc.mem_alloc) seen there, in bytes, or
  None under CPython. (micropython.mem_peak() counts every allocation ever made, GC frees
  excluded, so it is no measure of the heap in use.)
- `led(on)`, `button()`, `idle_ms(ms)`.
"""

import gc
import sys


class HeapWatch:
    """Live-heap high-water mark sampled at the app's quiet points (both boards use it)."""

    _heap_peak = None

    def note_heap(self):
        alloc = getattr(gc, "mem_alloc", None)
        if alloc is not None:
            now = alloc()
            if self._heap_peak is None or now > self._heap_peak:
                self._heap_peak = now

    def mem_peak(self):
        return self._heap_peak


def get_board(**options):
    if sys.platform == "esp32":
        from board.esp32 import Board
    else:
        from board.unix import Board
    return Board(**options)
