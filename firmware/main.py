"""ESP32 boot entry: the same application as the unix port, on the esp32 board.

Runs the fix loop forever (the UART stream never ends); the uploader sends a batch whenever
batch_size records wait. Host URL: /host.txt, written at provisioning.
"""


def _host_url():
    try:
        with open("/host.txt") as f:
            return f.read().strip() or None
    except OSError:
        return None


def _wipe_if_held(hold_ms=10000):
    """The button held for 10 s at power-on is the technician's wipe (issue 7): the key and
    the log are erased and the free flash scrubbed; the badge then restarts as new."""
    import time

    from board import get_board

    board = get_board(fs="/data")
    t0 = time.ticks_ms()
    while board.button():
        if time.ticks_diff(time.ticks_ms(), t0) >= hold_ms:
            from storage.recordlog import RecordLog
            from storage.wipe import wipe_badge

            wipe_badge("/data", RecordLog("/data/log"))
            board.reset()
        time.sleep_ms(50)


def main():
    _wipe_if_held()
    from wire.batch import BatchBuffer

    batch = BatchBuffer(60)  # largest permanent block first (heap fragmentation)
    import gnss.nmea  # noqa: F401  (largest module next)
    from badge import unload
    from badge.identity import load_key

    identity = load_key("/data")
    del load_key
    unload("badge.identity")  # start-up code: its heap goes back to the fix loop
    from badge.app import Badge
    from board import get_board

    board = get_board(fs="/data", host=_host_url())
    Badge(board, 60, 1000, identity, batch).run()


main()
