"""The unix board sends receiver commands back up the GNSS feeder's TCP socket (CPython only:
the test needs a listening socket and a thread)."""

import socket
import threading

from board.unix import Board
from gnss.control import OUT_GGA, OUT_RMC

# Adafruit_GPS's PMTK_SET_NMEA_UPDATE_1HZ and PMTK_SET_NMEA_OUTPUT_RMCGGA.
EXPECTED = b"$PMTK220,1000*1F\r\n$PMTK314,0,1,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0*28\r\n"


def test_commands_reach_the_feeder_socket():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    got = bytearray()

    def feeder():
        conn, _ = server.accept()
        with conn:
            conn.sendall(b"$GPRMC,,V,,,,,,,,,,N*53\r\n")
            conn.settimeout(5)
            while len(got) < len(EXPECTED):
                chunk = conn.recv(256)
                if not chunk:
                    break
                got.extend(chunk)

    t = threading.Thread(target=feeder)
    t.start()
    board = Board(gnss="tcp:127.0.0.1:%d" % port, gnss_kind="pmtk")
    stream = board.open_gnss()
    ctl = board.gnss_control()
    ctl.set_rate(1000)
    ctl.set_output(OUT_GGA | OUT_RMC)
    t.join(10)
    stream.close()
    server.close()
    assert bytes(got) == EXPECTED
