#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""hello: the example web application behind nginx (standard library only).

GET / answers with who and where it runs, so the unit's User=,
WorkingDirectory=, Environment= and EnvironmentFile= are visible from a
browser; GET /healthz answers "ok".
"""
import argparse
import http.server
import os
import pwd


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "hello/1"

    def do_GET(self):
        if self.path == "/healthz":
            body = "ok\n"
        else:
            user = pwd.getpwuid(os.getuid()).pw_name
            lines = [
                os.environ.get("HELLO_GREETING", "Hello"),
                "user: " + user,
                "cwd: " + os.getcwd(),
                "home: " + os.environ.get("HOME", ""),
                "site: " + os.environ.get("HELLO_SITE", "(unset)"),
                "forwarded-proto: " + self.headers.get("X-Forwarded-Proto", ""),
                "served-from: " + open("motd.txt", encoding="utf-8").read().strip(),
            ]
            body = "\n".join(lines) + "\n"
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        # One line per request on stderr, which the service's log collects.
        print("hello: %s %s" % (self.address_string(), fmt % args), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--bind", default="127.0.0.1")
    args = ap.parse_args()
    srv = http.server.ThreadingHTTPServer((args.bind, args.port), Handler)
    print("hello: listening on %s:%d" % (args.bind, args.port), flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
