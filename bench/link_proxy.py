"""A loopback TCP proxy that counts HTTP requests and bytes, and can act like a 2G link.

Each direction is one shared link: a chunk waits for the link to be free, takes
`len * 8 / bits_per_s` to send, then `latency_s` to arrive. A new connection first costs one
round trip (the TCP handshake a phone would pay). Bytes are TCP payload (HTTP headers and
bodies); TCP/IP headers and TLS are not counted.
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
            counter = _RequestCounter()
            await asyncio.gather(self._pump(client_r, server_w, up, "up", counter),
                                 self._pump(server_r, client_w, down, "down", None))

        server = await asyncio.start_server(handle, LOOPBACK, 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: _Link, way: str,
                    counter: _RequestCounter | None) -> None:
        queue: asyncio.Queue[tuple[bytes, float] | None] = asyncio.Queue(QUEUE_CHUNKS)

        async def deliver() -> None:
            while (item := await queue.get()) is not None:
                data, at = item
                await asyncio.sleep(max(0.0, at - time.monotonic()))
                writer.write(data)
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()

        delivering = asyncio.create_task(deliver())
        try:
            while data := await reader.read(READ_BYTES):
                if way == "up":
                    self.counts.bytes_up += len(data)
                    self.counts.requests += counter.feed(data) if counter else 0
                else:
                    self.counts.bytes_down += len(data)
                await queue.put((data, link.arrival(len(data), time.monotonic())))
        except ConnectionError:
            pass
        finally:
            await queue.put(None)
            with contextlib.suppress(ConnectionError):
                await delivering
            writer.close()
