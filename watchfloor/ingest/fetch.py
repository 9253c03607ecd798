"""A safe HTTP client for feeds and pages.

Everything a feed or page points at is untrusted, so the client refuses by default what a fetcher on a
server must never do:

- only ``http`` and ``https`` URLs;
- no connection to a private, loopback, link-local, multicast or otherwise non-public address unless
  ``allow_private``. The check sits in the connection layer (an httpcore network backend): the host is
  resolved there, every address is checked, and the socket is opened to the checked address itself, so
  DNS tricks (a name that resolves to 127.0.0.1, a second lookup that answers differently) cannot slip
  past it. Redirects are followed by hand, one hop at a time, and each hop connects through the same check;
- a bounded body (default 10 MB), counted after decompression too, with decompression done here in
  bounded steps so a small gzip bomb cannot expand into memory; a bounded time for the whole request;
- content types checked against what the caller expects before the body is read;
- a polite pace per host, and retries with exponential backoff for transient failures only.

Errors are ``FetchError`` (``UnsafeURLError`` for refusals) with a short message fit for a one-line log.
"""

from __future__ import annotations

import email.utils
import fnmatch
import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from httpcore._backends.sync import SyncStream

from watchfloor import __version__
from watchfloor.errors import FetchError, UnsafeURLError

DEFAULT_USER_AGENT = f"watchfloor/{__version__} (news monitoring; respects robots.txt)"
MB = 1024 * 1024

# Media types callers accept. Patterns are matched with fnmatch against the lower-cased media type.
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/*+xml",
    "application/feed+json",
    "application/json",
    # Many servers label feeds as one of these; the parser decides what the body really is.
    "text/*",
    "application/octet-stream",
)
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
TEXT_TYPES = ("text/*",)

_REDIRECTS = {301, 302, 303, 307, 308}
# Statuses worth trying again: the server may well answer next time.
_TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504}
_MAX_RETRY_AFTER_S = 3600.0

Resolver = Callable[[str, int], list[str]]
Dialer = Callable[[str, int, float | None], socket.socket]


@dataclass(slots=True)
class FetchPolicy:
    user_agent: str = DEFAULT_USER_AGENT
    max_body_bytes: int = 10 * MB
    timeout_s: float = 20.0  # connect, and each read
    max_time_s: float = 60.0  # the whole request, body included
    max_redirects: int = 5
    retries: int = 2  # extra tries after the first, for transient failures only
    backoff_s: float = 1.0  # first retry waits this long, then twice as long, ...
    per_host_rate: float = 1.0  # requests per second to any one host
    allow_private: bool = False


@dataclass(slots=True)
class FetchResult:
    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    content: bytes = b""
    media_type: str | None = None  # lower-case, without parameters
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    tries: int = 1
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        """The body decoded with the declared charset, else UTF-8; undecodable bytes replaced."""
        return decode_body(self.content, self.charset)


class RetryableFetchError(FetchError):
    """A failure that may go away: a timeout, a refused connection, a 5xx or 429."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status, when the server answered
        self.retry_after = retry_after


class StoppedError(FetchError):
    """The fetch was abandoned because the process is stopping."""


# -- addresses ------------------------------------------------------------------------------------------


def address_refusal(address: str) -> str | None:
    """What kind of non-public address this is ("a loopback address", ...); None if it is public."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone index
    except ValueError:
        return "not an IP address"
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address reach that IPv4 host; judge the embedded address too.
        if ip.ipv4_mapped:
            candidates.append(ip.ipv4_mapped)
        if ip.sixtofour:
            candidates.append(ip.sixtofour)
        if ip.teredo:
            candidates.extend(ip.teredo)
        if ip in ipaddress.ip_network("64:ff9b::/96"):  # NAT64
            candidates.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    candidates.append(ip)  # after any embedded address, whose kind makes the clearer message
    for candidate in candidates:
        if candidate.is_loopback:
            return "a loopback address"
        if candidate.is_link_local:
            return "a link-local address"
        if candidate.is_multicast:
            return "a multicast address"
        if candidate.is_unspecified:
            return "an unspecified address"
        if not candidate.is_global:
            return "a private or reserved address"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def system_dialer(address: str, port: int, timeout: float | None) -> socket.socket:
    return socket.create_connection((address, port), timeout)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network layer, resolving names itself so every address is checked before it is dialled."""

    def __init__(self, *, allow_private: bool, resolver: Resolver | None = None, dialer: Dialer | None = None) -> None:
        self.allow_private = allow_private
        self.resolver = resolver or system_resolver
        self.dialer = dialer or system_dialer

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        host = host.strip("[]")
        try:
            addresses = self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve host {host}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve host {host}")
        if not self.allow_private:
            for address in addresses:
                reason = address_refusal(address)
                if reason:
                    shown = host if host == address else f"{host} ({address})"
                    raise UnsafeURLError(f"refused {shown}: {reason}; not fetched without --allow-private")
        last: Exception | None = None
        for address in addresses:
            try:
                sock = self.dialer(address, port, timeout)
            except ConnectionRefusedError as exc:
                last = httpcore.ConnectError("connection refused")
                last.__cause__ = exc
            except TimeoutError as exc:  # socket.timeout is TimeoutError
                last = httpcore.ConnectTimeout("timed out connecting")
                last.__cause__ = exc
            except OSError as exc:
                last = httpcore.ConnectError(f"cannot connect: {(exc.strerror or str(exc)).lower()}")
                last.__cause__ = exc
            else:
                for option in socket_options or ():
                    sock.setsockopt(*option)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return SyncStream(sock)
        assert last is not None
        raise last


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, backend: GuardedBackend, limits: httpx.Limits) -> None:
        # No proxies from the environment: a proxy would make the address check meaningless.
        super().__init__(trust_env=False, limits=limits)
        # httpx has no public way to pass a network backend, so swap in a pool that uses ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


# -- politeness -----------------------------------------------------------------------------------------


class HostPacer:
    """At most ``rate`` requests per second to each host, shared by all threads."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next: dict[str, float] = {}
        self._min_interval: dict[str, float] = {}
        self._lock = threading.Lock()

    def set_min_interval(self, host: str, seconds: float) -> None:
        """A slower pace for one host (its robots.txt Crawl-delay)."""
        with self._lock:
            self._min_interval[host] = seconds

    def wait(self, host: str, stop: threading.Event) -> None:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + max(self.interval, self._min_interval.get(host, 0.0))
        if slot > now and stop.wait(slot - now):
            raise StoppedError("stopped")


# -- the fetcher ----------------------------------------------------------------------------------------


class SafeFetcher:
    """Fetches one URL at a time per call; safe to share between threads."""

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        resolver: Resolver | None = None,
        dialer: Dialer | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self.stop = stop or threading.Event()
        self.pacer = HostPacer(self.policy.per_host_rate)
        backend = GuardedBackend(allow_private=self.policy.allow_private, resolver=resolver, dialer=dialer)
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=8, keepalive_expiry=30)
        t = self.policy.timeout_s
        self.client = httpx.Client(
            transport=_GuardedTransport(backend, limits),
            follow_redirects=False,
            timeout=httpx.Timeout(t, connect=t, read=t, write=t, pool=t),
            # Only encodings we can decompress in bounded steps.
            headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            trust_env=False,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> SafeFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        *,
        accept: tuple[str, ...] = FEED_TYPES,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        retries: int | None = None,
    ) -> FetchResult:
        """GET ``url``, following redirects safely; 304 comes back as a result, other failures raise."""
        retries = self.policy.retries if retries is None else retries
        tries = 0
        while True:
            tries += 1
            try:
                result = self._fetch_once(url, accept, etag, last_modified, max_bytes or self.policy.max_body_bytes)
                result.tries = tries
                return result
            except RetryableFetchError as exc:
                if tries > retries or self.stop.is_set():
                    suffix = f" (after {tries} tries)" if tries > 1 else ""
                    raise RetryableFetchError(
                        exc.message + suffix, status=exc.status, retry_after=exc.retry_after
                    ) from exc
                delay = self.policy.backoff_s * 2 ** (tries - 1)
                if exc.retry_after is not None:
                    delay = max(delay, min(exc.retry_after, self.policy.max_time_s))
                if self.stop.wait(delay):
                    raise StoppedError("stopped") from exc

    def _fetch_once(
        self, url: str, accept: tuple[str, ...], etag: str | None, last_modified: str | None, max_bytes: int
    ) -> FetchResult:
        deadline = time.monotonic() + self.policy.max_time_s
        headers = {"Accept": _accept_header(accept)}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        hops: list[str] = []
        for _ in range(self.policy.max_redirects + 1):
            host = check_url(current)
            self.pacer.wait(host, self.stop)
            with self._send(current, headers, deadline) as response:
                if response.status_code in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(f"HTTP {response.status_code} redirect without a Location")
                    hops.append(current)
                    current = urljoin(current, location.strip())
                    continue
                return self._result(url, current, hops, response, accept, max_bytes, deadline)
        raise FetchError(f"too many redirects (more than {self.policy.max_redirects})")

    def _send(self, url: str, headers: dict[str, str], deadline: float) -> _Response:
        try:
            request = self.client.build_request("GET", url, headers=headers)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
            raise FetchError(f"not a valid URL: {exc}") from exc
        try:
            response = self.client.send(request, stream=True)
        except UnsafeURLError:
            raise
        except httpx.HTTPError as exc:
            raise _classify(exc, self.policy.timeout_s) from exc
        return _Response(response)

    def _result(
        self,
        url: str,
        final: str,
        hops: list[str],
        response: httpx.Response,
        accept: tuple[str, ...],
        max_bytes: int,
        deadline: float,
    ) -> FetchResult:
        status = response.status_code
        result = FetchResult(
            url=url,
            final_url=final,
            status=status,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            redirects=hops,
        )
        if status == 304:
            return result
        if status >= 400:
            message = f"HTTP {status} {response.reason_phrase}".rstrip()
            if status in _TRANSIENT_STATUSES:
                raise RetryableFetchError(
                    message, status=status, retry_after=_retry_after(response.headers.get("retry-after"))
                )
            raise FetchError(message)
        if not 200 <= status < 300:
            raise FetchError(f"unexpected HTTP {status}")
        result.media_type, result.charset = _content_type(response.headers.get("content-type"))
        if result.media_type and not any(fnmatch.fnmatchcase(result.media_type, p) for p in accept):
            raise FetchError(f"unexpected content type {result.media_type}")
        result.content = _read_body(response, max_bytes, deadline, self.policy.max_time_s)
        return result


class _Response:
    """Closes a streamed response however the block ends."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    def __enter__(self) -> httpx.Response:
        return self.response

    def __exit__(self, *exc: object) -> None:
        self.response.close()


def check_url(url: str) -> str:
    """The host of an http(s) URL; raises for anything else."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise FetchError(f"not a valid URL: {url[:200]!r}") from exc
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise UnsafeURLError(f"only http and https URLs are fetched, not {scheme or 'a relative URL'}: {url[:200]}")
    if not host:
        raise FetchError(f"URL has no host: {url[:200]}")
    return host.lower()


def _accept_header(accept: tuple[str, ...]) -> str:
    concrete = [p for p in accept if "*" not in p]
    return ", ".join(concrete + ["*/*;q=0.1"]) if concrete else "*/*"


def _content_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return media.strip().lower() or None, charset


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), _MAX_RETRY_AFTER_S)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, min(when.timestamp() - time.time(), _MAX_RETRY_AFTER_S))


def _classify(exc: httpx.HTTPError, timeout_s: float) -> FetchError:
    if isinstance(exc, httpx.ConnectTimeout):
        return RetryableFetchError(f"timed out connecting (limit {timeout_s:g}s)")
    if isinstance(exc, httpx.TimeoutException):
        return RetryableFetchError(f"timed out waiting for the server (limit {timeout_s:g}s)")
    if isinstance(exc, httpx.ConnectError):
        return RetryableFetchError(str(exc) or "cannot connect")
    if isinstance(exc, httpx.RemoteProtocolError):
        return RetryableFetchError(f"broken HTTP response: {exc}")
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return RetryableFetchError(f"connection lost: {exc or 'reset by the server'}")
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return FetchError(f"not a valid URL: {exc}")
    return FetchError(f"{type(exc).__name__}: {exc}")


# -- bodies ---------------------------------------------------------------------------------------------


def _read_body(response: httpx.Response, limit: int, deadline: float, max_time_s: float) -> bytes:
    encodings = [
        e.strip().lower()
        for e in response.headers.get("content-encoding", "").split(",")
        if e.strip().lower() not in {"", "identity"}
    ]
    if len(encodings) > 1 or (encodings and encodings[0] not in {"gzip", "x-gzip", "deflate"}):
        raise FetchError(f"unsupported content encoding {', '.join(encodings)}")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(f"body of {_size(int(declared))} is over the {_size(limit)} limit")
    inflater = Inflater(encodings[0]) if encodings else None
    body = bytearray()
    received = 0
    try:
        for chunk in response.iter_raw():  # as received: a chunk_size would buffer past the deadline
            if time.monotonic() > deadline:
                raise FetchError(f"took longer than {max_time_s:g}s; abandoned")
            received += len(chunk)
            if received > limit:
                raise FetchError(f"body is over the {_size(limit)} limit")
            body += inflater.feed(chunk, limit - len(body) + 1) if inflater else chunk
            if len(body) > limit:
                raise FetchError(f"body is over the {_size(limit)} limit once decompressed")
        if inflater:
            body += inflater.finish(limit - len(body) + 1)
            if len(body) > limit:
                raise FetchError(f"body is over the {_size(limit)} limit once decompressed")
    except httpx.HTTPError as exc:
        raise _classify(exc, 0.0) from exc
    except zlib.error as exc:
        raise FetchError(f"corrupt {encodings[0]} body: {exc}") from exc
    return bytes(body)


class Inflater:
    """gzip or deflate decompression that never produces more than the caller has room for."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._obj: zlib._Decompress | None = None if encoding == "deflate" else zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._pending = b""

    def feed(self, data: bytes, room: int) -> bytes:
        obj = self._obj
        if obj is None:
            self._pending += data
            if len(self._pending) < 2:
                return b""
            data, self._pending = self._pending, b""
            obj = self._obj = zlib.decompressobj(zlib.MAX_WBITS if _zlib_wrapped(data) else -zlib.MAX_WBITS)
        out = bytearray()
        while data and len(out) < room:
            out += obj.decompress(data, room - len(out))
            data = obj.unconsumed_tail
            if obj.eof and obj.unused_data:
                # A gzip body may hold several members one after another.
                data = obj.unused_data
                if self.encoding == "deflate":
                    break
                obj = self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        return bytes(out)

    def finish(self, room: int) -> bytes:
        if self._obj is None:
            if not self._pending:
                return b""
            data, self._pending = self._pending, b""
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            return self.feed(data, room) + self._obj.flush()
        # All input has gone through decompress() with a bound, so what flush() returns is small.
        return self._obj.flush()


def _zlib_wrapped(data: bytes) -> bool:
    """True for a zlib header ("deflate" as the standard means it); raw deflate is what some servers send."""
    return (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0


def decode_body(content: bytes, charset: str | None) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    if charset:
        try:
            return content.decode(charset, errors="replace")
        except LookupError:
            pass
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _size(n: int) -> str:
    if n >= MB:
        return f"{n / MB:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 10 * 1024 else f"{n:,} bytes"
