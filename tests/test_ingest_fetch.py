"""The safe fetcher: schemes, private addresses (after DNS and on redirects), limits, retries, encodings."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import threading
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from httpserver import FakeInternet, LocalServer, Reply, serving
from hypothesis import given, settings
from hypothesis import strategies as st

from watchfloor.errors import FetchError, UnsafeURLError
from watchfloor.ingest.fetch import (
    FEED_TYPES,
    PAGE_TYPES,
    FetchPolicy,
    HostPacer,
    Inflater,
    SafeFetcher,
    StoppedError,
    _retry_after,
    address_refusal,
    check_url,
)

FAST: dict[str, Any] = {"per_host_rate": 1000.0, "backoff_s": 0.001, "timeout_s": 2.0, "max_time_s": 5.0}


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    with serving() as server:
        yield server


@pytest.fixture
def fetcher() -> Iterator[SafeFetcher]:
    # The local server is on 127.0.0.1, so these tests must allow private addresses explicitly.
    with SafeFetcher(FetchPolicy(allow_private=True, **FAST)) as f:
        yield f


def test_fetches_a_page_with_type_charset_and_validators(local_server: LocalServer, fetcher: SafeFetcher) -> None:
    result = fetcher.fetch(local_server.url("/articles/3"), accept=PAGE_TYPES)
    assert result.status == 200 and result.media_type == "text/html" and result.charset == "utf-8"
    assert "Aleppo" in result.text()
    feed = fetcher.fetch(local_server.url("/feed.xml"))
    assert feed.etag == '"v1"' and feed.last_modified
    again = fetcher.fetch(local_server.url("/feed.xml"), etag=feed.etag)
    assert again.not_modified and again.content == b""
    assert local_server.requests[-1].headers["if-none-match"] == '"v1"'
    assert "watchfloor" in local_server.requests[-1].headers["user-agent"]


def test_private_address_refused_before_any_connection(local_server: LocalServer) -> None:
    with SafeFetcher(FetchPolicy(**FAST)) as strict:
        with pytest.raises(UnsafeURLError, match="loopback"):
            strict.fetch(local_server.url("/articles/1"))
    assert local_server.connections == 0 and local_server.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/x",
        "gopher://example.org/",
        "javascript:alert(1)",
        "/relative/path",
        "data:,hi",
    ],
)
def test_only_http_and_https(url: str, fetcher: SafeFetcher) -> None:
    with pytest.raises(UnsafeURLError, match="only http and https"):
        fetcher.fetch(url)


def test_redirects_followed_by_hand_and_checked(local_server: LocalServer, fetcher: SafeFetcher) -> None:
    result = fetcher.fetch(local_server.url("/redirect"), accept=PAGE_TYPES)
    assert result.final_url == local_server.url("/articles/1?utm_campaign=x&fbclid=y")
    assert result.redirects == [local_server.url("/redirect")]
    with pytest.raises(FetchError, match="too many redirects"):
        fetcher.fetch(local_server.url("/redirect-loop"))
    with pytest.raises(UnsafeURLError, match="only http and https"):
        fetcher.fetch(local_server.url("/redirect-file"))


def public_fetcher(net: FakeInternet) -> SafeFetcher:
    return SafeFetcher(FetchPolicy(**FAST), resolver=net.resolve, dialer=net.dial)


def test_public_site_redirecting_to_loopback_or_intranet_is_refused(local_server: LocalServer) -> None:
    net = FakeInternet(local_server, {"news.example": ["93.184.216.34"], "intranet.example": ["10.1.2.3"]})
    with public_fetcher(net) as f:
        ok = f.fetch("http://news.example/articles/4", accept=PAGE_TYPES)
        assert ok.status == 200 and "Khan Younis" in ok.text()
        with pytest.raises(UnsafeURLError, match=r"127\.0\.0\.1: a loopback address"):
            f.fetch("http://news.example/to-loopback")
        with pytest.raises(UnsafeURLError, match=r"intranet\.example \(10\.1\.2\.3\): a private"):
            f.fetch("http://news.example/to-intranet")
    # Only the public address was ever dialled; the inward targets were never requested.
    assert set(net.dialled) == {"93.184.216.34"}
    assert local_server.hits("/articles/2") == 0 and local_server.hits("/to-loopback") == 1


def test_name_resolving_to_private_or_mixed_addresses_is_refused(local_server: LocalServer) -> None:
    net = FakeInternet(
        local_server,
        {
            "rebind.example": ["127.0.0.1"],
            "mixed.example": ["93.184.216.34", "192.168.1.10"],
            "mapped.example": ["::ffff:127.0.0.1"],
            "metadata.example": ["169.254.169.254"],
        },
    )
    with public_fetcher(net) as f:
        for host, kind in [
            ("rebind", "loopback"),
            ("mixed", "private"),
            ("mapped", "loopback"),
            ("metadata", "link-local"),
        ]:
            with pytest.raises(UnsafeURLError, match=kind):
                f.fetch(f"http://{host}.example/articles/1")
    assert net.dialled == []
    assert local_server.connections == 0


def test_unknown_host_and_refused_connection_give_one_line_reasons(fetcher: SafeFetcher) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(FetchError, match=r"^\[W400\] connection refused \(after 3 tries\)$"):
        fetcher.fetch(f"http://127.0.0.1:{port}/feed")
    net = FakeInternet(LocalServer(), {})
    with SafeFetcher(FetchPolicy(retries=0, **FAST), resolver=net.resolve, dialer=net.dial) as f:
        with pytest.raises(FetchError, match="cannot resolve host nowhere.example$"):
            f.fetch("http://nowhere.example/")


def test_http_errors_retried_only_when_transient(local_server: LocalServer, fetcher: SafeFetcher) -> None:
    with pytest.raises(FetchError, match="HTTP 404 Not Found$"):
        fetcher.fetch(local_server.url("/404"))
    assert local_server.hits("/404") == 1
    with pytest.raises(FetchError, match=r"HTTP 500 Internal Server Error \(after 3 tries\)"):
        fetcher.fetch(local_server.url("/500"))
    assert local_server.hits("/500") == 3


def test_flaky_server_succeeds_on_retry(local_server: LocalServer, fetcher: SafeFetcher) -> None:
    calls = []

    def flaky(request: object) -> Reply:
        calls.append(request)
        if len(calls) < 3:
            return Reply(503, b"busy", {"Retry-After": "0"})
        return Reply(200, b"<rss version='2.0'><channel></channel></rss>", {"Content-Type": "application/rss+xml"})

    local_server.route("/flaky", flaky)
    result = fetcher.fetch(local_server.url("/flaky"))
    assert result.status == 200 and result.tries == 3


def test_slow_server_and_slow_body_are_bounded(local_server: LocalServer) -> None:
    with SafeFetcher(
        FetchPolicy(allow_private=True, **{**FAST, "timeout_s": 0.3, "max_time_s": 0.6, "retries": 0})
    ) as f:
        with pytest.raises(FetchError, match="timed out"):
            f.fetch(local_server.url("/slow"))
        with pytest.raises(FetchError, match="took longer than 0.6s"):
            f.fetch(local_server.url("/drip"))


def test_body_size_limits_raw_declared_and_decompressed(local_server: LocalServer) -> None:
    with SafeFetcher(FetchPolicy(allow_private=True, **FAST)) as f:  # default 10 MB
        with pytest.raises(FetchError, match="over the 10.0 MB limit"):
            f.fetch(local_server.url("/huge"))  # 25 MB streamed, no Content-Length
        with pytest.raises(FetchError, match="body of 11.0 MB is over the 10.0 MB limit"):
            f.fetch(local_server.url("/huge-declared"))
        with pytest.raises(FetchError, match="once decompressed"):
            f.fetch(local_server.url("/gzip-bomb"), accept=PAGE_TYPES)  # ~64 KB that inflates to 64 MB
    with SafeFetcher(FetchPolicy(allow_private=True, max_body_bytes=500, **FAST)) as small:
        with pytest.raises(FetchError, match="body of 984 bytes is over the 500 bytes limit"):
            small.fetch(local_server.url("/articles/1"))


def test_compressed_bodies_decoded_and_unknown_encodings_refused(
    local_server: LocalServer, fetcher: SafeFetcher
) -> None:
    result = fetcher.fetch(local_server.url("/feed-gzip.xml"))
    assert result.content.startswith(b"<?xml") and b"report 12" in result.content
    assert "gzip" in local_server.requests[-1].headers["accept-encoding"]
    assert "br" not in local_server.requests[-1].headers["accept-encoding"]
    body = b"<html><body>deflated page</body></html>"
    for name, data in [("zlib", zlib.compress(body)), ("raw", zlib.compress(body)[2:-4])]:
        local_server.route(
            f"/deflate-{name}", Reply(200, data, {"Content-Type": "text/html", "Content-Encoding": "deflate"})
        )
        assert fetcher.fetch(local_server.url(f"/deflate-{name}"), accept=PAGE_TYPES).content == body
    with pytest.raises(FetchError, match="unsupported content encoding br"):
        fetcher.fetch(local_server.url("/brotli"))
    local_server.route(
        "/bad-gzip",
        Reply(200, b"\x1f\x8b\x08garbage-not-gzip", {"Content-Type": "text/html", "Content-Encoding": "gzip"}),
    )
    with pytest.raises(FetchError, match="corrupt gzip body"):
        fetcher.fetch(local_server.url("/bad-gzip"), accept=PAGE_TYPES)


def test_content_types_checked_before_the_body(local_server: LocalServer, fetcher: SafeFetcher) -> None:
    with pytest.raises(FetchError, match="unexpected content type image/png"):
        fetcher.fetch(local_server.url("/image.png"), accept=FEED_TYPES)
    with pytest.raises(FetchError, match="unexpected content type application/rss\\+xml"):
        fetcher.fetch(local_server.url("/feed.xml"), accept=PAGE_TYPES)


def test_stop_interrupts_backoff(local_server: LocalServer) -> None:
    stop = threading.Event()
    with SafeFetcher(FetchPolicy(allow_private=True, per_host_rate=1000, backoff_s=3600, retries=5), stop=stop) as f:
        timer = threading.Timer(0.2, stop.set)
        timer.start()
        with pytest.raises(StoppedError):
            f.fetch(local_server.url("/500"))  # without the stop this would wait an hour
    assert local_server.hits("/500") == 1


def test_pacer_spaces_requests_to_one_host_and_respects_stop() -> None:
    pacer = HostPacer(rate=0.001)  # one request per 1000 s
    stop = threading.Event()
    stop.set()
    pacer.wait("a.example", stop)  # the first request goes at once
    pacer.wait("b.example", stop)  # another host has its own pace
    with pytest.raises(StoppedError):
        pacer.wait("a.example", stop)  # the second to a.example would have to wait


def test_check_url() -> None:
    assert check_url("HTTPS://Example.ORG:8443/a?b") == "example.org"
    with pytest.raises(FetchError, match="no host"):
        check_url("http:///path")
    with pytest.raises(FetchError, match="not a valid URL"):
        check_url("http://example.org:99999/")


def test_retry_after_parsing() -> None:
    assert _retry_after("120") == 120.0
    assert _retry_after("999999") == 3600.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert _retry_after("soon") is None and _retry_after(None) is None


@pytest.mark.parametrize(
    "address,refused",
    [
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.0.1", "private"),
        ("100.64.0.1", "private"),  # carrier-grade NAT
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("fe80::1%eth0", "link-local"),
        ("fc00::1", "private"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::1", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a00:1", "private"),  # NAT64 wrapping 10.0.0.1
        ("not-an-ip", "not an IP"),
    ],
)
def test_address_refusal(address: str, refused: str | None) -> None:
    reason = address_refusal(address)
    assert (reason is None) if refused is None else (reason is not None and refused in reason)


@settings(max_examples=300, deadline=None)
@given(st.ip_addresses())
def test_address_refusal_never_passes_a_non_global_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    reason = address_refusal(str(ip))
    if not ip.is_global or ip.is_multicast:
        assert reason is not None
    if reason is None:
        assert ip.is_global


@settings(max_examples=150, deadline=None)
@given(
    body=st.binary(max_size=5000) | st.text(max_size=3000).map(str.encode),
    encoding=st.sampled_from(["gzip", "zlib", "raw"]),
    chunk=st.integers(min_value=1, max_value=700),
    limit=st.integers(min_value=0, max_value=6000),
)
def test_inflater_round_trips_and_never_exceeds_its_room(body: bytes, encoding: str, chunk: int, limit: int) -> None:
    if encoding == "gzip":
        data, name = gzip.compress(body), "gzip"
    elif encoding == "zlib":
        data, name = zlib.compress(body), "deflate"
    else:
        data, name = zlib.compress(body)[2:-4], "deflate"
    inflater = Inflater(name)
    out = bytearray()
    over = False
    for i in range(0, len(data), chunk):
        room = limit - len(out) + 1
        piece = inflater.feed(data[i : i + chunk], room)
        assert len(piece) <= room
        out += piece
        if len(out) > limit:
            over = True
            break
    if not over:
        out += inflater.finish(limit - len(out) + 1)
    assert over == (len(body) > limit)
    if not over:
        assert bytes(out) == body
