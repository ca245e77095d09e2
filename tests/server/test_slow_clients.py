"""Slow and numerous clients against the real server (uvicorn with Rebill's protocol), over
real sockets: trickled headers and bodies get 408 and lose their connection; past the connection
limit a request gets 503. Deadlines are short here so the tests are quick; what is asserted is
the server's answer, never how long it took."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
import uvicorn

from api.app import create_app
from api.server import server_config
from domain.settings import Settings, SettingsError

# Generous enough for a loaded machine: a test that waits this long has failed.
SOCKET_TIMEOUT = 20.0
FAST = Settings(header_timeout_seconds=0.5, body_timeout_seconds=0.5, max_connections=50)


def _serve(settings: Settings) -> Iterator[tuple[str, int]]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = server_config(create_app(settings, manage_database=False), settings, "127.0.0.1", 0)
    config.lifespan = "off"
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + SOCKET_TIMEOUT
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield sock.getsockname()
    finally:
        server.should_exit = True
        thread.join(timeout=SOCKET_TIMEOUT)
        sock.close()


@pytest.fixture(scope="module")
def fast_server() -> Iterator[tuple[str, int]]:
    yield from _serve(FAST)


@pytest.fixture(scope="module")
def small_server() -> Iterator[tuple[str, int]]:
    # Deadlines long enough that idle connections stay open while the test counts them.
    yield from _serve(replace(FAST, header_timeout_seconds=60, max_connections=3))


def _connect(address: tuple[str, int]) -> socket.socket:
    client = socket.create_connection(address, timeout=SOCKET_TIMEOUT)
    return client


def _read_all(client: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := client.recv(65_536):
        chunks.append(chunk)
    return b"".join(chunks)


def _read_response(client: socket.socket) -> bytes:
    """One response to a request answered with Content-Length (our JSON responses are)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += client.recv(65_536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += client.recv(65_536)
    return head + b"\r\n\r\n" + body


HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: rebill.test\r\n\r\n"


def test_a_prompt_request_is_answered(fast_server: tuple[str, int]) -> None:
    with _connect(fast_server) as client:
        client.sendall(HEALTHZ)
        response = _read_response(client)
    assert response.startswith(b"HTTP/1.1 200")
    assert response.endswith(b'{"status":"ok"}')


def test_headers_that_never_finish_get_408_and_the_connection_closes(
    fast_server: tuple[str, int],
) -> None:
    with _connect(fast_server) as client:
        client.sendall(b"GET /healthz HTTP/1.1\r\nHost: rebill.test\r\nX-Slow: a")
        response = _read_all(client)
    assert response.startswith(b"HTTP/1.1 408")
    assert b'"error":"request_timeout"' in response


def test_a_connection_that_sends_nothing_is_closed(fast_server: tuple[str, int]) -> None:
    with _connect(fast_server) as client:
        response = _read_all(client)
    assert response.startswith(b"HTTP/1.1 408")


def test_the_next_request_on_a_kept_alive_connection_has_its_own_header_deadline(
    fast_server: tuple[str, int],
) -> None:
    with _connect(fast_server) as client:
        client.sendall(HEALTHZ)
        first = _read_response(client)
        # Its first bytes arrive before the keep-alive timer (5 s) would close the connection.
        client.sendall(b"GET /healthz HTTP/1.1\r\nHo")
        second = _read_all(client)
    assert first.startswith(b"HTTP/1.1 200")
    assert second.startswith(b"HTTP/1.1 408")


def test_a_body_that_trickles_gets_408(fast_server: tuple[str, int]) -> None:
    with _connect(fast_server) as client:
        client.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: rebill.test\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
            b'{"query":'
        )
        response = _read_all(client)
    assert response.startswith(b"HTTP/1.1 408")
    assert b'"error":"request_timeout"' in response


def test_past_the_connection_limit_a_request_gets_503(small_server: tuple[str, int]) -> None:
    idle = [_connect(small_server) for _ in range(2)]
    try:
        # Wait until the server has taken both: a third connection then reaches the limit.
        for client in idle:
            client.sendall(b"GET /healthz HTTP/1.1\r\n")
        time.sleep(0.2)
        with _connect(small_server) as third:
            third.sendall(HEALTHZ)
            refused = _read_all(third)
    finally:
        for client in idle:
            client.close()
    assert refused.startswith(b"HTTP/1.1 503")


def test_below_the_connection_limit_requests_are_served(small_server: tuple[str, int]) -> None:
    with _connect(small_server) as client:
        client.sendall(HEALTHZ)
        assert _read_response(client).startswith(b"HTTP/1.1 200")


def test_the_server_logs_client_errors_at_info_on_its_stream() -> None:
    server_config(create_app(FAST, manage_database=False), FAST, "127.0.0.1", 0)

    client_errors = logging.getLogger("rebill.client_errors")
    assert client_errors.getEffectiveLevel() == logging.INFO
    assert logging.getLogger("rebill").handlers
    assert logging.getLogger("strawberry").handlers


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REBILL_HEADER_TIMEOUT_SECONDS", "0"),
        ("REBILL_BODY_TIMEOUT_SECONDS", "soon"),
        ("REBILL_MAX_CONNECTIONS", "١٠"),
        ("REBILL_MAX_CONNECTIONS", "0"),
    ],
)
def test_bad_limits_are_refused_at_start_up(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_limits_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "REBILL_HEADER_TIMEOUT_SECONDS": "2.5",
            "REBILL_BODY_TIMEOUT_SECONDS": "15",
            "REBILL_MAX_CONNECTIONS": "300",
        }
    )
    assert (settings.header_timeout_seconds, settings.body_timeout_seconds) == (2.5, 15.0)
    assert settings.max_connections == 300
