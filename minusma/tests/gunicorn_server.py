"""Starting the repository's gunicorn (gunicorn.conf.py) on a free port for a test, and reading its first answer."""

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.client import HTTPResponse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app: str, *arguments: str, env: dict[str, str]) -> Iterator[tuple[int, subprocess.Popen]]:
    """gunicorn serving the WSGI `app` with the repository's config and one worker: (its port, its process); stopped
    after."""
    port = free_port()
    command = [Path(sys.executable).with_name("gunicorn"), "--config", "gunicorn.conf.py",
               "--bind", f"127.0.0.1:{port}", "--workers", "1", *arguments, app]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield port, server
    finally:
        server.terminate()
        server.wait(timeout=10)


def first_answer(url: str, server: subprocess.Popen, read: Callable[[HTTPResponse], object], timeout: float = 30):
    """`read` of the first answer at `url`, retrying while the server starts (up to 30 s, or until it exits)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - a local http:// address
                return read(response)
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.2)
