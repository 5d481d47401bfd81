"""A small HTTP/1.1 load generator: N keep-alive connections in one asyncio loop, closed
loop (each connection sends its next request when the answer to the last one is in), as
wrk does. Pure Python, so the benchmark needs nothing beyond the project's packages; the
generator's own CPU time is reported, because on a 2-core machine it competes with the
server it measures.
"""

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from bench.common import percentile


@dataclass
class LoadResult:
    """Requests answered in the measured window, their latencies, and the client's cost."""

    seconds: float
    latencies: list[float] = field(default_factory=list)  # sorted, seconds
    errors: int = 0
    sent: int = 0  # every request, the warm-up's included
    server_cpu_ms: float = 0.0  # CPU the server used per request sent, when measured
    database_cpu_ms: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    client_cpu_seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def latency_ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


def http_post(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The bytes of one keep-alive POST request."""
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(body)}",
        "Connection: keep-alive",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    length, close = 0, False
    for line in header_lines:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    body = await reader.readexactly(length) if length else b""
    return status, body, close


async def _connection(
    host: str,
    port: int,
    make_request: Callable[[], bytes],
    start_at: float,
    stop_at: float,
    result: LoadResult,
    check: Callable[[int, bytes], bool],
) -> None:
    reader = writer = None
    while time.perf_counter() < stop_at:
        if writer is None:
            reader, writer = await asyncio.open_connection(host, port)
        request = make_request()
        began = time.perf_counter()
        result.sent += 1
        try:
            writer.write(request)
            status, body, close = await _read_response(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            reader = writer = None
            if began >= start_at:
                result.errors += 1
            continue
        ended = time.perf_counter()
        if began >= start_at:  # requests begun during the warm-up are not counted
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if check(status, body):
                result.latencies.append(ended - began)
            else:
                result.errors += 1
        if close:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _load(host, port, make_request, connections, warmup, duration, check) -> LoadResult:
    now = time.perf_counter()
    start_at, stop_at = now + warmup, now + warmup + duration
    result = LoadResult(seconds=duration)
    await asyncio.gather(
        *(
            _connection(host, port, make_request, start_at, stop_at, result, check)
            for _ in range(connections)
        )
    )
    return result


async def _paced(host, port, make_request, connections, rate, warmup, duration, check):
    now = time.perf_counter()
    start_at, stop_at = now + warmup, now + warmup + duration
    result = LoadResult(seconds=duration)
    interval = 1.0 / rate
    due = iter(now + n * interval for n in range(int((warmup + duration) * rate)))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        for scheduled in due:  # shared: each request is taken by one free connection
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            result.sent += 1
            try:
                writer.write(make_request())
                status, body, close = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                close, status, body = True, 0, b""
            if scheduled >= start_at and scheduled < stop_at:
                # From when the request was due, not when a connection was free: a
                # backlog shows as latency (no coordinated omission).
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if check(status, body):
                    result.latencies.append(time.perf_counter() - scheduled)
                else:
                    result.errors += 1
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
        writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return result


def _on_own_loop(work: Coroutine[Any, Any, LoadResult]) -> LoadResult:
    """Run `work` to its end on an event loop of its own, in a thread of its own: the
    calling thread may have a loop running already (the test suite's browser keeps
    Playwright's open), and asyncio runs one loop per thread."""
    done: list[LoadResult] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(asyncio.run(work))
        except BaseException as problem:  # given to the caller below
            failed.append(problem)

    thread = threading.Thread(target=run, name="loadgen")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return done[0]


def run_rate(
    host: str,
    port: int,
    make_request: Callable[[], bytes],
    *,
    rate: float,
    connections: int = 16,
    warmup: float = 2.0,
    duration: float = 10.0,
    check: Callable[[int, bytes], bool] = lambda status, _body: status == 200,
) -> LoadResult:
    """Open loop: `rate` requests a second on a schedule, over up to `connections`
    connections, whatever the server's pace; latency counts from each request's due time."""
    cpu = time.process_time()
    result = _on_own_loop(
        _paced(host, port, make_request, connections, rate, warmup, duration, check)
    )
    result.client_cpu_seconds = time.process_time() - cpu
    result.latencies.sort()
    return result


def run_load(
    host: str,
    port: int,
    make_request: Callable[[], bytes],
    *,
    connections: int = 16,
    warmup: float = 2.0,
    duration: float = 10.0,
    check: Callable[[int, bytes], bool] = lambda status, _body: status == 200,
) -> LoadResult:
    """Drive a server with `connections` keep-alive connections: `warmup` seconds not
    counted, then `duration` seconds measured. `check` says which answers count as good."""
    cpu = time.process_time()
    result = _on_own_loop(_load(host, port, make_request, connections, warmup, duration, check))
    result.client_cpu_seconds = time.process_time() - cpu
    result.latencies.sort()
    return result
