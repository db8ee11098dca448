#!/usr/bin/env python3
"""A stand-in for B3LB's upload endpoint, for benchmarks: reads each request body completely
(discarding it), then answers. Loopback only; keep-alive; handles Expect: 100-continue.

usage: sink.py PORT [STATUS]   (STATUS defaults to 204, B3LB's answer; the spec's loop wants 200)
"""
import http.server
import socketserver
import sys

PORT = int(sys.argv[1])
STATUS = int(sys.argv[2]) if len(sys.argv) > 2 else 204
CHUNK = 1 << 20


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        left = int(self.headers.get("Content-Length", "0"))
        read = self.rfile.read
        while left > 0:
            n = len(read(min(CHUNK, left)))
            if n == 0:
                return
            left -= n
        self.send_response(STATUS)
        if STATUS != 204:
            self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # clients closing idle keep-alive connections are not news


if __name__ == "__main__":
    Server(("127.0.0.1", PORT), Sink).serve_forever()
