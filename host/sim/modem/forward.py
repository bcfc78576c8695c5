"""The modem's HTTP stack reaching the host: a POST to the host on loopback (requests).

The badge names the URL (AT+HTTPPARA="URL" / AT+QHTTPURL). The simulator only ever talks
to loopback: with `base_url` the scheme and authority of the badge's URL are replaced by
the host's (a badge provisioned for https://tracker.example.com reaches the local host);
without it, a URL that is not on 127.0.0.1/localhost is refused as a connect failure.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import requests

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class HostForward:
    def __init__(self, base_url: str | None = None, timeout_s: float = 30.0):
        self.base = urlsplit(base_url) if base_url else None
        self.timeout_s = timeout_s
        self.requests = 0

    def target(self, url: str) -> str:
        parts = urlsplit(url)
        if self.base is not None:
            parts = parts._replace(scheme=self.base.scheme, netloc=self.base.netloc)
        elif parts.hostname not in LOOPBACK:
            raise OSError(f"the modem simulator reaches loopback only, not {parts.hostname}")
        return urlunsplit(parts)

    def __call__(self, url: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        self.requests += 1
        try:
            r = requests.post(
                self.target(url),
                data=body,
                timeout=self.timeout_s,
                headers={"Content-Type": content_type},
            )
        except requests.RequestException as e:
            raise OSError(str(e)) from e
        return r.status_code, r.content
