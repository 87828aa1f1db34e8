"""Under the repository's gunicorn.conf.py a response streamed for longer than the worker timeout is sent whole: an
export of a million rows takes minutes, and a sync worker (busy sending) would be killed by the arbiter mid-stream."""

import http.client
import os

from minusma.tests import slow_stream_wsgi
from minusma.tests.gunicorn_server import first_answer, gunicorn

WORKER_TIMEOUT = 2  # seconds; the stream takes about 4


def _read_until_cut(response) -> bytes:
    try:
        return response.read()
    except (OSError, http.client.HTTPException) as cut:  # the worker was killed mid-stream
        return getattr(cut, "partial", b"")


def _body_of_slow_stream(*extra_arguments: str) -> bytes:
    arguments = ("--timeout", str(WORKER_TIMEOUT), *extra_arguments)
    with gunicorn("minusma.tests.slow_stream_wsgi", *arguments, env=os.environ.copy()) as (port, server):
        return first_answer(f"http://127.0.0.1:{port}/", server, _read_until_cut)


def test_a_stream_longer_than_the_worker_timeout_is_sent_whole():
    chunks = slow_stream_wsgi.CHUNKS
    assert (chunks - 1) * slow_stream_wsgi.SECONDS_APART > WORKER_TIMEOUT
    whole = [f"chunk {number}" for number in range(chunks)]
    assert _body_of_slow_stream().decode().splitlines() == whole
    # The premise: the one-thread sync worker the config replaced is killed mid-stream by the same timeout.
    assert _body_of_slow_stream("--worker-class", "sync", "--threads", "1").decode().splitlines() != whole
