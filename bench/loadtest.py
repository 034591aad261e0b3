"""wrk, run and read: one load test over loopback and what it measured.

wrk prints a human report; ``parse_wrk`` turns it (with ``--latency``) into a ``LoadResult``.
Our Lua scripts (bench/lua/) add lines ``bench <name>=<integer>`` from their done() hook:
counts of what the server answered, read into ``LoadResult.counts``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

LUA_DIR = Path(__file__).resolve().parent / "lua"

_TIME_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


class LoadError(RuntimeError):
    pass


@dataclass
class LoadResult:
    """What one wrk run measured. Latencies in milliseconds."""

    requests: int
    seconds: float
    requests_per_second: float
    latency_ms: dict[int, float] = field(default_factory=dict)  # percentile -> ms
    non_2xx_3xx: int = 0
    socket_errors: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def p50(self) -> float | None:
        return self.latency_ms.get(50)

    @property
    def p99(self) -> float | None:
        return self.latency_ms.get(99)

    @property
    def ok_requests(self) -> int:
        return self.requests - self.non_2xx_3xx


def milliseconds(text: str) -> float:
    """wrk's durations ("812.00us", "1.23ms", "2.00s", "1.50m") in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match[1]) * _TIME_UNITS[match[2]]


def parse_wrk(output: str) -> LoadResult:
    """Read wrk's report (run with --latency)."""
    totals = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h),", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not totals or not rate:
        raise LoadError(f"wrk printed no totals:\n{output}")
    latency = {
        int(percent): milliseconds(value)
        for percent, value in re.findall(r"^\s+(\d+)%\s+([\d.]+(?:us|ms|s|m|h))\s*$", output, re.M)
    }
    non_ok = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    counts = {name: int(value) for name, value in re.findall(r"^bench (\w+)=(\d+)$", output, re.M)}
    return LoadResult(
        requests=int(totals[1]),
        seconds=milliseconds(totals[2] + totals[3]) / 1000,
        requests_per_second=float(rate[1]),
        latency_ms=latency,
        non_2xx_3xx=int(non_ok[1]) if non_ok else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
        counts=counts,
    )


def wrk_binary() -> str:
    binary = shutil.which("wrk")
    if binary is None:
        raise LoadError("wrk is not installed: apt-get install wrk (make bench installs it)")
    return binary


def wrk_command(
    url: str,
    *,
    duration: float,
    connections: int,
    threads: int = 2,
    headers: dict[str, str] | None = None,
    script: str | None = None,
    script_args: list[str] | None = None,
) -> list[str]:
    threads = max(1, min(threads, connections))
    command = [
        wrk_binary(),
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration:g}s",
        "--timeout=10s",
        "--latency",
    ]
    for name, value in (headers or {}).items():
        command += ["--header", f"{name}: {value}"]
    if script:
        command += ["--script", str(LUA_DIR / script)]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    return command


def run_wrk(url: str, **options) -> LoadResult:
    command = wrk_command(url, **options)
    done = subprocess.run(  # noqa: S603 - wrk with our arguments
        command, capture_output=True, text=True, check=False, timeout=options["duration"] + 60
    )
    if done.returncode != 0:
        raise LoadError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return parse_wrk(done.stdout)
