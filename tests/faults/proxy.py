"""A loopback HTTP proxy that breaks things on purpose: slow links, cut connections, doubled and late requests.

Tests start it in a background thread in front of a real server. It reads each HTTP/1.1 request
whole from the client (Content-Length bodies; keep-alive on the client's side), sends it to the
server on a connection of its own, reads the whole answer and gives it back. Between the two it
plays a link like `bench.link_proxy`: each direction is one shared link where a chunk waits for
the link to be free, takes `len * 8 / bits_per_s` to send, then `latency_s` to arrive.

Faults are chosen per request, by a one-shot plan or at random from a seed:
- `drop_up`: forward only this much of the request (bytes, or a fraction of it as a float), then
  reset both ends: the server saw part of a request, the phone saw its link die.
- `drop_down`: forward this much of the answer, then reset: the server did the work, the phone
  never heard.
- `duplicate`: send the request to the server a second time on another connection; the client
  gets one answer (the first copy's).
- `hold`: keep the request (or, with `duplicate`, its second copy) back until another request has
  been answered, or `hold_max_s` passed: requests reach the server out of order.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"
READ_BYTES = 1460  # one TCP segment, so the far end sees bytes trickle as on a real link
MAX_HEAD_BYTES = 64 * 1024
START_TIMEOUT_S = 10
NO_BODY_STATUSES = {204, 304}

Offset = int | float  # bytes, or a fraction (0 < f < 1) of the message


@dataclass(frozen=True)
class Fault:
    drop_up: Offset | None = None
    drop_down: Offset | None = None
    duplicate: bool = False
    hold: bool = False


PASS = Fault()


@dataclass
class Exchange:
    """One request the client sent, and what became of it."""

    method: str
    path: str
    fault: Fault
    request_bytes: int
    status: int | None = None  # of the answer the client got, if it got one
    dropped: str | None = None  # "up" or "down" when the proxy cut it, "server" when the server hung up
    copy_status: int | None = None  # the answer to the duplicate, which the client never sees
    number: int = 0  # in the order the proxy received them
    forwarded_at: float | None = None  # time.monotonic() when the request had wholly reached the server
    answered_at: float | None = None  # and when the server's answer had been read whole


@dataclass
class Counts:
    requests: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    connections: int = 0
    dropped: int = 0
    duplicated: int = 0
    held: int = 0


@dataclass
class RandomFaults:
    """Faults drawn from a seeded generator for requests whose path starts with `path`."""

    path: str
    seed: int
    drop: float = 0.0
    duplicate: float = 0.0
    hold: float = 0.0
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def draw(self) -> Fault:
        drop_up = drop_down = None
        if self.rng.random() < self.drop:
            # A random point: anywhere in the request, or anywhere in the answer.
            point = self.rng.uniform(0.01, 0.99)
            if self.rng.random() < 0.5:
                drop_up = point
            else:
                drop_down = point
        duplicate = self.rng.random() < self.duplicate
        hold = self.rng.random() < self.hold
        return Fault(drop_up, drop_down, duplicate, hold)


class _Link:
    def __init__(self) -> None:
        self.free_at = 0.0

    def arrival(self, size: int, now: float, latency_s: float, bits_per_s: float | None) -> float:
        start = max(now, self.free_at)
        self.free_at = start + (size * 8 / bits_per_s if bits_per_s else 0.0)
        return self.free_at + latency_s


class _Cut(Exception):
    """The proxy reset the connection on purpose."""


def _cut_point(offset: Offset | None, size: int) -> int | None:
    if offset is None:
        return None
    if isinstance(offset, float):
        return max(1, min(size - 1, int(size * offset))) if size > 1 else 0
    return offset


def _headers(head: bytes) -> tuple[str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0], headers


async def _read_head(reader: asyncio.StreamReader) -> bytes | None:
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if error.partial:
            raise ConnectionError("connection closed inside a message head") from error
        return None
    except asyncio.LimitOverrunError as error:
        raise ConnectionError("message head too large") from error


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes] | None:
    head = await _read_head(reader)
    if head is None:
        return None
    start, headers = _headers(head)
    method, path, _ = start.split(" ", 2)
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return method, path, head + body


async def _read_response(reader: asyncio.StreamReader, method: str) -> tuple[int, bytes, bool]:
    """Read one whole answer; return its status, its bytes, and whether it ends the connection."""
    head = await _read_head(reader)
    if head is None:
        raise ConnectionError("the server closed the connection without answering")
    start, headers = _headers(head)
    status = int(start.split(" ", 2)[1])
    closes = headers.get("connection", "").lower() == "close"
    if method == "HEAD" or status in NO_BODY_STATUSES or status < 200:
        return status, head, closes
    if "content-length" in headers:
        return status, head + await reader.readexactly(int(headers["content-length"])), closes
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            body += size_line
            if size == 0:
                body += await reader.readuntil(b"\r\n")  # no trailers: the empty line that ends the message
                return status, head + body, closes
            body += await reader.readexactly(size + 2)
    return status, head + await reader.read(), True  # the body runs to the end of the connection


class FaultProxy:
    """Forward 127.0.0.1:<port> to 127.0.0.1:<upstream_port> from a background thread, with faults."""

    def __init__(self, upstream_port: int, latency_s: float = 0.0, bits_per_s: float | None = None,
                 hold_max_s: float = 5.0) -> None:
        self.upstream_port = upstream_port
        self.latency_s, self.bits_per_s = latency_s, bits_per_s
        self.hold_max_s = hold_max_s
        self.counts = Counts()
        self.exchanges: list[Exchange] = []
        self.random: RandomFaults | None = None
        # Called from the proxy's thread once a request has wholly reached the server, before its answer.
        self.on_forwarded: Callable[[Exchange], None] | None = None
        self.port = 0
        self._plan: list[tuple[str, Fault]] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._answered: asyncio.Condition | None = None
        self._last_answered = -1  # the number of the latest request answered (or failed)
        self._up, self._down = _Link(), _Link()

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def set_link(self, latency_s: float, bits_per_s: float | None) -> None:
        """Change the link's speed for what is sent from now on."""
        self.latency_s, self.bits_per_s = latency_s, bits_per_s

    def plan(self, path: str, *faults: Fault) -> None:
        """Apply these faults, in turn, to the next requests whose path starts with `path`."""
        with self._lock:
            self._plan.extend((path, fault) for fault in faults)

    def planned(self) -> int:
        """How many planned faults have not happened yet."""
        with self._lock:
            return len(self._plan)

    def __enter__(self) -> FaultProxy:
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            raise RuntimeError("proxy did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(START_TIMEOUT_S)

    def _fault_for(self, path: str) -> Fault:
        with self._lock:
            for i, (prefix, fault) in enumerate(self._plan):
                if path.startswith(prefix):
                    del self._plan[i]
                    return fault
            if self.random is not None and path.startswith(self.random.path):
                return self.random.draw()
        return PASS

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._answered = asyncio.Condition()
        open_writers: set[asyncio.StreamWriter] = set()
        tasks: set[asyncio.Task[None]] = set()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            tasks.add(task)
            open_writers.add(writer)
            self.counts.connections += 1
            try:
                await self._serve_client(reader, writer, tasks)
            except (ConnectionError, _Cut, asyncio.IncompleteReadError):
                writer.transport.abort()
            finally:
                open_writers.discard(writer)
                tasks.discard(task)
                writer.close()

        server = await asyncio.start_server(handle, LOOPBACK, 0, limit=MAX_HEAD_BYTES)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
            # Reset what is still open (a keep-alive connection, say) and let its handler end by itself:
            # a handler cancelled by asyncio.run's clean-up is reported as an error by Python 3.11's streams.
            for writer in list(open_writers):
                writer.transport.abort()
            deadline = time.monotonic() + START_TIMEOUT_S
            while tasks and time.monotonic() < deadline:
                await asyncio.sleep(0.01)

    async def _serve_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                            tasks: set[asyncio.Task[None]]) -> None:
        await asyncio.sleep(2 * self.latency_s)  # the TCP handshake's round trip
        while (request := await _read_request(reader)) is not None:
            method, path, data = request
            fault = self._fault_for(path)
            exchange = Exchange(method, path, fault, len(data), number=len(self.exchanges))
            self.exchanges.append(exchange)
            self.counts.requests += 1
            if fault.duplicate:
                self.counts.duplicated += 1
                copy = asyncio.create_task(self._send_copy(exchange, data))
                tasks.add(copy)
                copy.add_done_callback(tasks.discard)
            elif fault.hold:
                await self._hold(exchange)
            closes = await self._exchange(exchange, data, writer)
            if closes:
                return

    async def _exchange(self, exchange: Exchange, data: bytes, client: asyncio.StreamWriter) -> bool:
        fault = exchange.fault
        try:
            server_r, server_w = await asyncio.open_connection(LOOPBACK, self.upstream_port, limit=MAX_HEAD_BYTES)
        except ConnectionError:
            exchange.dropped = "server"
            await self._announce_answer(exchange)
            raise
        try:
            up_cut = _cut_point(fault.drop_up, len(data))
            try:
                await self._send(data, server_w, self._up, up_cut, "up")
            except _Cut:
                exchange.dropped = "up"
                server_w.transport.abort()
                raise
            exchange.forwarded_at = time.monotonic()
            if self.on_forwarded is not None:
                self.on_forwarded(exchange)
            try:
                status, answer, closes = await _read_response(server_r, exchange.method)
            except (ConnectionError, asyncio.IncompleteReadError):
                exchange.dropped = "server"
                raise
            exchange.status, exchange.answered_at = status, time.monotonic()
            try:
                await self._send(answer, client, self._down, _cut_point(fault.drop_down, len(answer)), "down")
            except _Cut:
                exchange.dropped, exchange.status = "down", None
                raise
            return closes
        finally:
            server_w.close()
            await self._announce_answer(exchange)

    async def _send(self, data: bytes, writer: asyncio.StreamWriter, link: _Link, cut: int | None,
                    way: str) -> None:
        """Send `data` (up to `cut` bytes, then reset) over the link, as the far end would receive it."""
        if cut is not None:
            data = data[:cut]
        now = time.monotonic()
        chunks = [data[i:i + READ_BYTES] for i in range(0, len(data), READ_BYTES)]
        arrivals = [link.arrival(len(chunk), now, self.latency_s, self.bits_per_s) for chunk in chunks]
        for chunk, at in zip(chunks, arrivals, strict=True):
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            if way == "up":
                self.counts.bytes_up += len(chunk)
            else:
                self.counts.bytes_down += len(chunk)
            writer.write(chunk)
            await writer.drain()
        if cut is not None:
            self.counts.dropped += 1
            writer.transport.abort()
            raise _Cut(way)

    async def _send_copy(self, exchange: Exchange, data: bytes) -> None:
        if exchange.fault.hold:
            await self._hold(exchange)
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            server_r, server_w = await asyncio.open_connection(LOOPBACK, self.upstream_port, limit=MAX_HEAD_BYTES)
            try:
                server_w.write(data)
                await server_w.drain()
                exchange.copy_status, _, _ = await _read_response(server_r, exchange.method)
            finally:
                server_w.close()

    async def _hold(self, exchange: Exchange) -> None:
        """Wait until a request that came after `exchange` has been answered, or the longest hold passed."""
        assert self._answered is not None
        self.counts.held += 1
        async with self._answered:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._answered.wait_for(lambda: self._last_answered > exchange.number),
                                       self.hold_max_s)

    async def _announce_answer(self, exchange: Exchange) -> None:
        assert self._answered is not None
        async with self._answered:
            self._last_answered = max(self._last_answered, exchange.number)
            self._answered.notify_all()
