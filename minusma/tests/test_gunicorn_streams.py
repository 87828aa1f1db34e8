"""Under the repository's gunicorn.conf.py a response streamed for longer than the worker timeout is sent whole: an
export of a million rows takes minutes, and a sync worker (busy sending) would be killed by the arbiter mid-stream."""

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from minusma.tests import slow_stream_wsgi

ROOT = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT = 2  # seconds; the stream takes about 4


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _body_of_slow_stream(*extra_arguments: str) -> bytes:
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [gunicorn, "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--timeout", str(WORKER_TIMEOUT), *extra_arguments, "minusma.tests.slow_stream_wsgi"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
                    try:
                        return response.read()
                    except (OSError, http.client.HTTPException) as cut:  # the worker was killed mid-stream
                        return getattr(cut, "partial", b"")
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_stream_longer_than_the_worker_timeout_is_sent_whole():
    chunks = slow_stream_wsgi.CHUNKS
    assert (chunks - 1) * slow_stream_wsgi.SECONDS_APART > WORKER_TIMEOUT
    whole = [f"chunk {number}" for number in range(chunks)]
    assert _body_of_slow_stream().decode().splitlines() == whole
    # The premise: the one-thread sync worker the config replaced is killed mid-stream by the same timeout.
    assert _body_of_slow_stream("--worker-class", "sync", "--threads", "1").decode().splitlines() != whole
