"""The registration rush's client: many concurrent members POSTing to one endpoint, cheaply.

The server and the client share two cores, so the client must cost next to nothing: raw
HTTP/1.1 over asyncio streams in one thread, one keep-alive connection per concurrent client,
requests written as bytes prepared in advance, responses read by Content-Length. Each
connection takes the next attempt from a shared queue, so attempts queued next to each other
(a double click) reach the server at the same moment on different connections.
"""

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

REQUEST_TIMEOUT_SECONDS = 120
CONNECTION_FAILURE = 0  # the status recorded when no HTTP answer came


@dataclass(slots=True)
class Attempt:
    """One POST by one member; `status` and `outcome` are filled in when it is answered."""

    member: int
    request: bytes
    status: int = CONNECTION_FAILURE
    outcome: str = ""  # registered / waitlisted / … for 2xx, the refusal's code for 409
    sent_at: float = 0.0
    answered_at: float = 0.0

    @property
    def milliseconds(self) -> float:
        return (self.answered_at - self.sent_at) * 1000


def post_request(*, host: str, port: int, path: str, token: str, body: bytes = b"{}") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nAccept: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def get_request(*, host: str, port: int, path: str, token: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Accept: application/json\r\n\r\n"
    ).encode()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, server keeps the connection open)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, keep = 0, True
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection" and value.strip().lower() == "close":
            keep = False
    body = await reader.readexactly(length) if length else b""
    return status, body, keep


def _outcome(status: int, body: bytes) -> str:
    try:
        answer = json.loads(body) if body else {}
    except ValueError:
        return "unreadable"
    if not isinstance(answer, dict):
        return "unreadable"
    if status in (200, 201):
        return str(answer.get("status", ""))
    return str(answer.get("code", ""))


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
            self.writer = self.reader = None

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(request)
        await self.writer.drain()
        status, body, keep = await _read_response(self.reader)
        if not keep:
            await self.close()
        return status, body


async def _client(connection: _Connection, queue: deque[Attempt]) -> None:
    clock = time.perf_counter
    while queue:
        attempt = queue.popleft()
        attempt.sent_at = clock()
        try:
            status, body = await asyncio.wait_for(
                connection.exchange(attempt.request), REQUEST_TIMEOUT_SECONDS
            )
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError,
                TimeoutError):  # fmt: skip
            attempt.answered_at = clock()
            attempt.status, attempt.outcome = CONNECTION_FAILURE, "connection failure"
            await connection.close()  # the next attempt opens a fresh connection
            continue
        attempt.answered_at = clock()
        attempt.status, attempt.outcome = status, _outcome(status, body)


async def _rush(
    *,
    host: str,
    port: int,
    attempts: list[Attempt],
    concurrency: int,
    warmup: list[bytes],
    on_start: Callable[[], object],
) -> tuple[float, float]:
    connections = [_Connection(host, port) for _ in range(concurrency)]
    await asyncio.gather(*(connection.open() for connection in connections))
    # Warm every connection (and the server's threads and database connections) first.
    for round_ in range(2):
        await asyncio.gather(
            *(
                connection.exchange(warmup[(n + round_) % len(warmup)])
                for n, connection in enumerate(connections)
            )
        )
    queue = deque(attempts)
    on_start()
    started = time.perf_counter()
    await asyncio.gather(*(_client(connection, queue) for connection in connections))
    finished = time.perf_counter()
    await asyncio.gather(*(connection.close() for connection in connections))
    return started, finished


def run_rush(
    *,
    host: str,
    port: int,
    attempts: list[Attempt],
    concurrency: int,
    warmup: list[bytes],
    on_start: Callable[[], object] = lambda: None,
) -> float:
    """Fire `attempts` from `concurrency` keep-alive connections; the seconds from the first
    request to the last answer. `warmup` requests (GETs) go first, outside the clock, then
    `on_start()` is called."""
    rush = _rush(
        host=host, port=port, attempts=attempts, concurrency=concurrency, warmup=warmup,
        on_start=on_start,
    )  # fmt: skip
    started, finished = asyncio.run(rush)
    return finished - started
