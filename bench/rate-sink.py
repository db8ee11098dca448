#!/usr/bin/env python3
"""bench/sink.py's stand-in for B3LB that also notes when each piece of a body arrived, for
bench/upload-rate.sh: POST bodies are read to the end (answer 204), each read noted as
"<monotonic seconds> <bytes>"; GET /samples returns the notes so far and forgets them.
Loopback only; keep-alive; handles Expect: 100-continue.

usage: rate-sink.py PORT
"""
import sys
import threading
import time

import sink  # bench/sink.py: its handler and threading server, reused here

CHUNK = sink.CHUNK
LOCK = threading.Lock()
SAMPLES = []


class Sink(sink.Sink):

    def do_POST(self):
        left = int(self.headers.get("Content-Length", "0"))
        read1 = self.rfile.read1  # what the socket has, at most CHUNK: one note per arrival, not per MiB
        mine = []
        while left > 0:
            n = len(read1(min(CHUNK, left)))
            if n == 0:
                return
            mine.append((time.monotonic(), n))
            left -= n
        with LOCK:
            SAMPLES.extend(mine)
        self.send_response(204)
        self.end_headers()

    def do_GET(self):
        with LOCK:
            body = "".join("%.6f %d\n" % s for s in SAMPLES).encode()
            SAMPLES.clear()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    sink.Server(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
