"""The fault proxy does what each rule says, and nothing else."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.faults.proxy import Fault, FaultProxy, RandomFaults


class Upstream:
    """A loopback HTTP server that records each request it read whole, and echoes its body."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes]] = []
        self.answered = 0
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                # http.server takes a head cut short for a whole one; every request here has a body, so a head
                # without its Content-Length was cut, and so was a body shorter than it says.
                if "Content-Length" not in self.headers:
                    return
                size = int(self.headers["Content-Length"])
                body = self.rfile.read(size)
                if len(body) < size:
                    return
                upstream.seen.append((self.path, body))
                if self.path.startswith("/slow"):
                    time.sleep(0.3)
                answer = body * int(self.headers.get("X-Repeat", "1"))
                self.send_response(200)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                upstream.answered += 1

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.close()


@pytest.fixture
def proxy(upstream: Upstream) -> Iterator[FaultProxy]:
    with FaultProxy(upstream.port, hold_max_s=3.0) as p:
        yield p


def post(conn: http.client.HTTPConnection, path: str, body: bytes, repeat: int = 1) -> tuple[int, bytes]:
    conn.request("POST", path, body=body, headers={"X-Repeat": str(repeat)})
    resp = conn.getresponse()
    return resp.status, resp.read()


def connect(proxy: FaultProxy) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)


def test_requests_pass_through_on_one_kept_alive_connection_and_are_counted(proxy: FaultProxy,
                                                                            upstream: Upstream) -> None:
    conn = connect(proxy)
    assert post(conn, "/a", b"hello") == (200, b"hello")
    assert post(conn, "/b", b"x" * 5000, repeat=3) == (200, b"x" * 15000)
    conn.close()
    assert [path for path, _ in upstream.seen] == ["/a", "/b"]
    assert proxy.counts.requests == 2 and proxy.counts.connections == 1
    assert proxy.counts.bytes_up > 5005 and proxy.counts.bytes_down > 15005
    assert [(e.path, e.status, e.dropped) for e in proxy.exchanges] == [("/a", 200, None), ("/b", 200, None)]


def test_a_2g_link_costs_its_latency_and_bandwidth_each_way(proxy: FaultProxy) -> None:
    proxy.set_link(0.3, 50_000)
    conn = connect(proxy)
    started = time.monotonic()
    assert post(conn, "/a", b"y" * 2500, repeat=2) == (200, b"y" * 5000)
    took = time.monotonic() - started
    conn.close()
    # Handshake and request-answer round trips (4 × 0.3 s), 2.5 kB up and 5 kB down at 50 kbit/s (1.2 s).
    assert 2.4 <= took < 4.0


def test_a_request_cut_on_the_way_up_never_reaches_the_server(proxy: FaultProxy, upstream: Upstream) -> None:
    proxy.plan("/sync", Fault(drop_up=100))
    conn = connect(proxy)
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        post(conn, "/sync", b"z" * 1000)
    conn.close()
    time.sleep(0.2)
    assert upstream.seen == []
    assert proxy.exchanges[0].dropped == "up" and proxy.counts.dropped == 1
    assert 100 <= proxy.counts.bytes_up < 1000
    conn = connect(proxy)
    assert post(conn, "/sync", b"again") == (200, b"again"), "a one-shot fault: the next request goes through"


def test_an_answer_cut_on_the_way_down_was_still_handled_by_the_server(proxy: FaultProxy,
                                                                      upstream: Upstream) -> None:
    proxy.plan("/sync", Fault(drop_down=0.5))
    conn = connect(proxy)
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        post(conn, "/sync", b"w" * 4000)
    assert upstream.seen == [("/sync", b"w" * 4000)]
    assert proxy.exchanges[0].dropped == "down" and proxy.exchanges[0].status is None
    assert proxy.counts.bytes_down < 4000


def test_only_requests_on_the_planned_path_are_faulted(proxy: FaultProxy, upstream: Upstream) -> None:
    proxy.plan("/sync", Fault(drop_up=1))
    conn = connect(proxy)
    assert post(conn, "/other", b"ok") == (200, b"ok")
    assert proxy.planned() == 1


def test_a_duplicated_request_reaches_the_server_twice_and_the_client_gets_one_answer(
        proxy: FaultProxy, upstream: Upstream) -> None:
    proxy.plan("/sync", Fault(duplicate=True))
    conn = connect(proxy)
    assert post(conn, "/sync", b"once") == (200, b"once")
    assert post(conn, "/next", b"n") == (200, b"n"), "the client's connection carries on as if nothing happened"
    deadline = time.monotonic() + 5
    while proxy.exchanges[0].copy_status is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(upstream.seen) == [("/next", b"n"), ("/sync", b"once"), ("/sync", b"once")]
    assert proxy.counts.duplicated == 1 and proxy.exchanges[0].copy_status == 200


def test_a_held_request_reaches_the_server_after_the_next_one_was_answered(proxy: FaultProxy,
                                                                           upstream: Upstream) -> None:
    proxy.plan("/sync", Fault(hold=True))
    answers: list[tuple[int, bytes]] = []
    first = threading.Thread(target=lambda: answers.append(post(connect(proxy), "/sync", b"first")))
    first.start()
    time.sleep(0.3)
    assert post(connect(proxy), "/sync", b"second") == (200, b"second")
    first.join(5)
    assert answers == [(200, b"first")]
    assert [body for _, body in upstream.seen] == [b"second", b"first"]


def test_a_late_duplicate_arrives_after_later_requests(proxy: FaultProxy, upstream: Upstream) -> None:
    proxy.plan("/sync", Fault(duplicate=True, hold=True))
    conn = connect(proxy)
    assert post(conn, "/sync", b"one") == (200, b"one")
    assert post(conn, "/sync", b"two") == (200, b"two")
    deadline = time.monotonic() + 5
    while len(upstream.seen) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [body for _, body in upstream.seen] == [b"one", b"two", b"one"]


def test_a_request_held_with_nothing_after_it_goes_on_after_the_longest_hold(proxy: FaultProxy) -> None:
    proxy.plan("/sync", Fault(hold=True))
    started = time.monotonic()
    assert post(connect(proxy), "/sync", b"alone") == (200, b"alone")
    assert 3.0 <= time.monotonic() - started < 5.0


def test_the_forwarded_hook_sees_a_request_whole_before_its_answer(proxy: FaultProxy, upstream: Upstream) -> None:
    answered_then: list[int] = []
    proxy.on_forwarded = lambda exchange: answered_then.append(upstream.answered)
    assert post(connect(proxy), "/slow", b"s" * 3000) == (200, b"s" * 3000)
    assert answered_then == [0]
    exchange = proxy.exchanges[0]
    assert exchange.forwarded_at is not None and exchange.answered_at is not None
    assert exchange.answered_at - exchange.forwarded_at >= 0.3, "the server's time to answer lies between"


def test_random_faults_follow_their_seed() -> None:
    def draws(seed: int) -> list[Fault]:
        faults = RandomFaults("/sync", seed=seed, drop=0.2, duplicate=0.1)
        return [faults.draw() for _ in range(200)]

    first = draws(7)
    assert draws(7) == first
    assert draws(8) != first
    drops = sum(1 for f in first if f.drop_up is not None or f.drop_down is not None)
    assert 20 <= drops <= 60
    assert all(0 < (f.drop_up or f.drop_down or 0.5) < 1 for f in first), "a random point inside the message"
    assert any(f.drop_up is not None for f in first) and any(f.drop_down is not None for f in first)
    assert 5 <= sum(f.duplicate for f in first) <= 40


def test_random_faults_drop_about_their_share_of_exchanges(proxy: FaultProxy, upstream: Upstream) -> None:
    proxy.random = RandomFaults("/sync", seed=3, drop=0.5)
    outcomes = []
    for n in range(20):
        try:
            outcomes.append(post(connect(proxy), "/sync", f"{n:04d}".encode() * 100)[0])
        except (ConnectionError, http.client.HTTPException):
            outcomes.append(0)
    dropped = sum(1 for e in proxy.exchanges if e.dropped)
    assert outcomes.count(0) == dropped == proxy.counts.dropped
    assert 5 <= dropped <= 15
