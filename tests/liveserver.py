"""A real uvicorn server in a subprocess, for what in-process tests cannot reach:
browsers, restarts, several processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Protocol

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def programs_folder(workdir: Path, programs: dict[str, str]) -> Path:
    """``workdir/programs`` holding these program files (file name: its text), for a server's
    SAMLING_PROGRAMS_DIR."""
    folder = workdir / "programs"
    folder.mkdir()
    for name, text in programs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def serve(workdir: Path, programs: dict[str, str], **settings: str) -> Iterator[LiveServer]:
    """For a fixture, ``yield from serve(tmp_path, {"demo.toml": DEMO_PROGRAM})``: a server
    with these programs for one test, stopped after it."""
    with LiveServer(workdir, programs_folder(workdir, programs), **settings) as server:
        yield server


class Answer(Protocol):
    """What is read of an HTTP answer: httpx's, or the TestClient's (its own copy of httpx)."""

    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def headers(self) -> Mapping[str, str]: ...


def code_and_key(created: Answer) -> tuple[str, str]:
    """The answer to the start page's form (POST /workshops): the new workshop's room code
    and facilitator key, from the address of the facilitator page it is sent to."""
    assert created.status_code == 303, created.text
    _, _, code, key = created.headers["location"].split("/")
    return code, key


def token_of(joined: httpx.Response, code: str) -> str:
    """The answer to the join form (POST /join): the new phone's token, its cookie's value."""
    assert joined.status_code == 303, joined.text
    return str(joined.cookies[f"samling_{code}"])


def create_workshop(server: LiveServer, program: str) -> tuple[str, str]:
    """A workshop from the start page's form: its room code and facilitator key."""
    return code_and_key(httpx.post(f"{server.url}/workshops", data={"program": program}))


def join(server: LiveServer, code: str, name: str) -> str:
    """A new phone joins by the room code and a first name: its token."""
    return token_of(httpx.post(f"{server.url}/join", data={"code": code, "name": name}), code)


# uvicorn's options as bin/run and the Dockerfile give them (tests/test_launchers.py
# holds the three to the same): the sans-I/O WebSocket protocol that app/realtime/wire.py
# writes through; phones' messages are small, and compressing every frame for every
# connection costs more CPU than it saves bytes; a restarted server's whole room knocks
# at once (the kernel's queue); and no WebSocket pings of uvicorn's own: every screen's
# heartbeat (policy.js pingIntervalMs) keeps its connection alive and finds it dead, and
# uvicorn's pinged every screen every 20 s besides (250 pings a second at 5,000 phones).
UVICORN_OPTIONS = (
    *("--ws", "websockets-sansio", "--ws-max-size", "65536", "--ws-per-message-deflate", "false"),
    *("--backlog", "8192", "--ws-ping-interval", "0"),
)


class LiveServer:
    """``with LiveServer(...) as server:`` starts it and stops it at the end."""

    def __init__(self, workdir: Path, programs_dir: Path, app: str = "app.main:app", **settings: str) -> None:
        self.app = app  # the ASGI app uvicorn runs (the benchmarks also run bench.naive:app)
        self.launcher = [sys.executable, "-m", "uvicorn"]  # bench/serve.py wraps uvicorn
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "SAMLING_DATABASE_URL": f"sqlite:///{workdir / 'samling.db'}",
            "SAMLING_PROGRAMS_DIR": str(programs_dir),
            "SAMLING_JOIN_ATTEMPTS_PER_MINUTE": "1000",
            **{f"SAMLING_{k.upper()}": v for k, v in settings.items()},
        }
        self.log = (workdir / "server.log").open("ab")
        self.log_level = "warning"  # "info" adds uvicorn's access log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *self.launcher,
                self.app,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                *UVICORN_OPTIONS,
                "--log-level",
                self.log_level,
            ],
            env=self.env,
            stdout=self.log,
            stderr=self.log,
            cwd=Path(__file__).parent.parent,
        )
        # A loaded machine (the whole suite beside others, 2 cores) can take a while to
        # import the app; a server that never answers is stopped, not left running.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                # Not a short timeout: a server restarted under a whole room answers late
                # (behind thousands of phones' connections in the kernel's queue), and a
                # probe given up after a second knocks again at the end of that queue.
                if httpx.get(f"{self.url}/healthz", timeout=10).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not answer within 60 s")

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def kill(self) -> None:
        """Stop hard, as a crash or a power cut would: no shutdown code runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@contextmanager
def two_processes(workdir: Path, programs: Path, **settings: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two server processes of one deployment, each with its own folder (``a``, ``b``) and
    log, sharing the database and the bus ``settings`` name."""
    (workdir / "a").mkdir()
    (workdir / "b").mkdir()
    with (
        LiveServer(workdir / "a", programs, **settings) as a,
        LiveServer(workdir / "b", programs, **settings) as b,
    ):
        yield a, b
