"""The unix board's modem link over a real TCP socket (CPython: a thread plays the module)."""

import socket
import threading

from board.unix import Board
from fakemodem import ACK, BASE, PATH, FakeModem, simcom_bring_up, simcom_upload


def _serve(server, script):
    conn, _ = server.accept()
    fake = FakeModem(script, chunk=64)
    conn.settimeout(0.05)
    buf = bytearray(256)
    try:
        while fake.script or fake.out or fake.later:
            try:
                data = conn.recv(4096)
                if not data:
                    return
                fake.write(data)
            except socket.timeout:
                pass
            n = fake.readinto(buf)
            if n:
                conn.sendall(bytes(buf[:n]))
    finally:
        conn.close()


def test_board_uplink_goes_through_the_modem_socket(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    body = b"\x05" * 300
    t = threading.Thread(target=_serve, args=(server, simcom_bring_up()
                                              + simcom_upload(300, 200, ACK)), daemon=True)
    t.start()
    board = Board(fs=str(tmp_path), host=BASE, modem="tcp:127.0.0.1:%d" % port)
    status, answer = board.uplink().post(PATH, body)
    assert (status, answer["ack_seq"]) == (200, 60)
    assert board.modem().state == "data_ready"
    assert board.cell_reporter(60) is not None
    t.join(2)
    server.close()
