"""A loopback TCP proxy that counts HTTP requests and bytes, and can act like a 2G link.

Each direction is one shared link: a chunk waits for the link to be free, takes
`len * 8 / bits_per_s` to send, then `latency_s` to arrive. A new connection first costs one
round trip (the TCP handshake a phone would pay). Bytes are TCP payload (HTTP headers and
bodies); TCP/IP headers and TLS are not counted.

`cut_after(way, n)` arms a one-shot cut, as when a phone loses signal: the connection that
carries the n-th byte in that direction (counted from arming) forwards exactly that far, then
both of its ends are reset once the last forwarded byte has crossed the link. Bytes still in
flight the other way are lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from dataclasses import dataclass

LOOPBACK = "127.0.0.1"
READ_BYTES = 1460  # one TCP segment, so the far end sees bytes as a real link would trickle them
QUEUE_CHUNKS = 256  # per direction per connection: the proxy never buffers more than ~370 KB
MAX_HEADER_BYTES = 64 * 1024
START_TIMEOUT_S = 10


@dataclass
class Counts:
    requests: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    connections: int = 0


@dataclass
class _Cut:
    way: str
    bytes_left: int


class _Conn:
    """Both writers of one proxied connection, so a cut in one direction can reset the other."""

    def __init__(self, client_w: asyncio.StreamWriter, server_w: asyncio.StreamWriter) -> None:
        self.writers = (client_w, server_w)
        self.cut = False  # no more bytes are read in either direction
        self.gone = False  # both ends reset: what is still in flight is lost

    def reset(self) -> None:
        self.gone = True
        for writer in self.writers:
            writer.transport.abort()


class _Link:
    def __init__(self, latency_s: float, bits_per_s: float | None) -> None:
        self.latency_s, self.bits_per_s = latency_s, bits_per_s
        self.free_at = 0.0

    def arrival(self, size: int, now: float) -> float:
        start = max(now, self.free_at)
        self.free_at = start + (size * 8 / self.bits_per_s if self.bits_per_s else 0.0)
        return self.free_at + self.latency_s


class _RequestCounter:
    """Counts HTTP/1.1 requests in the client's byte stream (requests with Content-Length bodies)."""

    def __init__(self) -> None:
        self.head = b""
        self.body_left = 0

    def feed(self, data: bytes) -> int:
        seen = 0
        while data:
            if self.body_left:
                taken = min(self.body_left, len(data))
                self.body_left -= taken
                data = data[taken:]
                continue
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                if len(self.head) > MAX_HEADER_BYTES:
                    raise ValueError("request head too large")
                return seen
            head, data = self.head[:end], self.head[end + 4:]
            self.head = b""
            seen += 1
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    self.body_left = int(value.strip())
        return seen


class LinkProxy:
    """Forward 127.0.0.1:<port> to 127.0.0.1:<upstream_port> from a background thread."""

    def __init__(self, upstream_port: int, latency_s: float = 0.0, bits_per_s: float | None = None) -> None:
        self.upstream_port = upstream_port
        self.latency_s, self.bits_per_s = latency_s, bits_per_s
        self.counts = Counts()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._cut: _Cut | None = None
        self.cut_in_request: int | None = None  # requests counted (since reset) when the armed cut happened

    def cut_after(self, way: str, nbytes: int) -> None:
        """Reset the connection that carries the `nbytes`-th byte `way` ("up" or "down") from now; once."""
        if way not in ("up", "down") or nbytes < 1:
            raise ValueError(f"bad cut: {way} {nbytes}")
        self._cut = _Cut(way, nbytes)
        self.cut_in_request = None

    def __enter__(self) -> LinkProxy:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            raise RuntimeError("proxy did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(START_TIMEOUT_S)

    def reset(self) -> Counts:
        """Return the counts so far and start again from zero."""
        counts, self.counts = self.counts, Counts()
        return counts

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        up, down = _Link(self.latency_s, self.bits_per_s), _Link(self.latency_s, self.bits_per_s)

        async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
            self.counts.connections += 1
            await asyncio.sleep(2 * self.latency_s)  # the TCP handshake's round trip
            server_r, server_w = await asyncio.open_connection(LOOPBACK, self.upstream_port)
            conn = _Conn(client_w, server_w)
            open_conns.add(conn)
            counter = _RequestCounter()
            try:
                await asyncio.gather(self._pump(client_r, server_w, up, "up", counter, conn),
                                     self._pump(server_r, client_w, down, "down", None, conn))
            finally:
                open_conns.discard(conn)

        open_conns: set[_Conn] = set()
        server = await asyncio.start_server(handle, LOOPBACK, 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
            # Reset what is still open (a keep-alive connection, say) and let its handler end by itself:
            # a handler cancelled by asyncio.run's clean-up is reported as an error by Python 3.11's streams.
            for conn in list(open_conns):
                conn.reset()
            deadline = time.monotonic() + START_TIMEOUT_S
            while open_conns and time.monotonic() < deadline:
                await asyncio.sleep(0.01)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: _Link, way: str,
                    counter: _RequestCounter | None, conn: _Conn) -> None:
        queue: asyncio.Queue[tuple[bytes, float] | None] = asyncio.Queue(QUEUE_CHUNKS)

        async def deliver() -> None:
            while (item := await queue.get()) is not None:
                data, at = item
                await asyncio.sleep(max(0.0, at - time.monotonic()))
                if conn.gone:
                    return
                if conn.cut and not data:  # the cut's marker: the last byte before it has arrived
                    conn.reset()
                    return
                writer.write(data)
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()

        delivering = asyncio.create_task(deliver())
        try:
            while not conn.cut and (data := await reader.read(READ_BYTES)):
                data, cutting = self._maybe_cut(data, way)
                if way == "up":
                    self.counts.bytes_up += len(data)
                    self.counts.requests += counter.feed(data) if counter else 0
                else:
                    self.counts.bytes_down += len(data)
                await queue.put((data, link.arrival(len(data), time.monotonic())))
                if cutting:
                    conn.cut = True
                    self.cut_in_request = self.counts.requests
                    await queue.put((b"", link.arrival(0, time.monotonic())))
        except ConnectionError:
            pass
        finally:
            await queue.put(None)
            with contextlib.suppress(ConnectionError):
                await delivering
            writer.close()

    def _maybe_cut(self, data: bytes, way: str) -> tuple[bytes, bool]:
        """Count `data` against an armed cut; return the part to forward and whether the cut happens after it."""
        cut = self._cut
        if cut is None or cut.way != way:
            return data, False
        if len(data) < cut.bytes_left:
            cut.bytes_left -= len(data)
            return data, False
        self._cut = None
        return data[:cut.bytes_left], True
