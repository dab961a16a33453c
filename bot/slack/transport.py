"""The clock's Slack Web API client, keeping its connections open between calls.

slack_sdk's synchronous `WebClient` opens a new connection (and, against Slack, a new
TLS session) for every call; a fan-out makes two calls a prompt from several threads,
so each sender thread keeps one connection to the API host and reuses it. Everything
else (the request, errors, 429s and their Retry-After) stays slack_sdk's: a status
other than 200 is raised as the `HTTPError` it expects from urllib.

A connection that fails is closed and the error raised as a `ConnectionError`; the
port retries the call on a new one, exactly as it did when every call had its own. A
connection idle for longer than `IDLE` is replaced before use, so a server that has
closed it in the meantime costs nothing.
"""

from __future__ import annotations

import http.client
import io
import threading
import time
import urllib.error
from typing import Any
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient

IDLE = 20.0
"""Seconds after which an unused connection is not trusted: servers close idle ones."""


class KeepAliveWebClient(WebClient):
    """A `WebClient` with one open connection per thread (none through a proxy)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._local = threading.local()

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        connection = self._connection(parts.scheme, parts.netloc)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST", path, body=req.data, headers=dict(req.header_items()))  # type: ignore[arg-type]
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self._drop()
            if isinstance(exc, TimeoutError):
                raise
            raise ConnectionError(f"{type(exc).__name__}: {exc}") from exc
        self._local.used = time.monotonic()
        if response.will_close:
            self._drop()
        if response.status != 200:
            raise urllib.error.HTTPError(url, response.status, response.reason, response.msg, io.BytesIO(body))
        charset = response.msg.get_content_charset() or "utf-8"
        if response.msg.get_content_type() == "application/gzip":
            return {"status": response.status, "headers": response.msg, "body": body}
        return {"status": response.status, "headers": response.msg, "body": body.decode(charset)}

    def _connection(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        local = self._local
        current = getattr(local, "connection", None)
        if current is not None and (local.where != (scheme, netloc) or time.monotonic() - local.used > IDLE):
            self._drop()
            current = None
        if current is None:
            if scheme == "https":
                current = http.client.HTTPSConnection(netloc, timeout=self.timeout, context=self.ssl)
            else:
                current = http.client.HTTPConnection(netloc, timeout=self.timeout)
            local.connection, local.where, local.used = current, (scheme, netloc), time.monotonic()
        return current

    def _drop(self) -> None:
        current = getattr(self._local, "connection", None)
        self._local.connection = None
        if current is not None:
            current.close()
