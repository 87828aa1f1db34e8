"""A WSGI app for minusma/tests/test_gunicorn_streams.py: a response streamed for longer than a worker timeout."""

import time

CHUNKS, SECONDS_APART = 5, 1.0


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    for number in range(CHUNKS):
        if number:
            time.sleep(SECONDS_APART)
        yield f"chunk {number}\n".encode()
