# SPDX-License-Identifier: MIT
"""A WSGI app: answers with the socket it was handed (systemd's LISTEN_FDS)."""
import os


def application(environ, start_response):
    body = ("klein gunicorn app pid=%d\n" % os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
