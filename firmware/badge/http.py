"""Minimal HTTP/1.1 POST over `socket` (MicroPython unix port, ESP32, CPython).

`HttpUplink(base_url).post(path, body) -> (status, dict)`: one connection per request
(`Connection: close`), Content-Length, the whole answer read, its JSON body parsed ({} when
it is not JSON). Network failures and timeouts raise OSError, which the uploader retries.
Plain http:// only: TLS arrives with the cellular modem's HTTPS stack (issue 4).
"""

import json
import socket

_MAX_ANSWER = 1024  # status line, headers and a small JSON object


def parse_url(url):
    """'http://host:port/prefix' -> (host, port, prefix)."""
    if not url.startswith("http://"):
        raise ValueError("only http:// URLs are supported: " + url)
    rest = url[7:]
    slash = rest.find("/")
    hostport, prefix = (rest, "") if slash < 0 else (rest[:slash], rest[slash:].rstrip("/"))
    host, _, port = hostport.partition(":")
    return host, int(port) if port else 80, prefix


def _parse_answer(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
        raise OSError("not an HTTP answer")
    status = int(parts[1])
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
            if len(body) < length:
                raise OSError("answer cut short")
            body = body[:length]
    try:
        answer = json.loads(body) if body else {}
    except ValueError:
        answer = {}
    return status, answer if isinstance(answer, dict) else {}


class HttpUplink:
    def __init__(self, base_url, timeout_s=15):
        self.host, self.port, self.prefix = parse_url(base_url)
        self.timeout_s = timeout_s
        self._rx = bytearray(_MAX_ANSWER)  # the whole answer lands here: no growth, no join

    def post(self, path, body, content_type="application/octet-stream"):
        ai = socket.getaddrinfo(self.host, self.port, 0, socket.SOCK_STREAM)[0]
        addr = ai[-1]
        sock = socket.socket(ai[0], socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout_s)
            sock.connect(addr)
            head = (
                "POST %s%s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: %s\r\n"
                "Content-Length: %d\r\nConnection: close\r\n\r\n"
                % (self.prefix, path, self.host, self.port, content_type, len(body))
            )
            _send_all(sock, head.encode())
            _send_all(sock, body)
            return _parse_answer(_read_all(sock, self._rx))
        finally:
            sock.close()


def _send_all(sock, data):
    # MicroPython's socket.send may write less than asked; loop until all is out.
    mv = memoryview(data)
    while len(mv):
        n = sock.send(mv)
        if not n:
            raise OSError("connection closed while sending")
        mv = mv[n:]


def _read_all(sock, buf):
    mv = memoryview(buf)
    size = 0
    while True:
        if size == len(buf):
            raise OSError("answer larger than %d bytes" % len(buf))
        n = _recv_into(sock, mv[size:])
        if not n:
            return bytes(mv[:size])
        size += n


def _recv_into(sock, mv):
    if hasattr(sock, "recv_into"):  # CPython
        return sock.recv_into(mv)
    return sock.readinto(mv)  # MicroPython
