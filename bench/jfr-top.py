#!/usr/bin/env python3
"""Where a thread spends its time, from a flight recording's method samples (Java code and
native calls): the top frames, and a few frames counted inclusively (anywhere on the stack).

usage: jfr-top.py RECORDING.jfr [THREAD_SUFFIX] [N]   (defaults: " - upload", the route's workers; 15)
"""
import collections
import json
import subprocess
import sys

INCLUSIVE = [
    "org.b3lb.node.upload.MultipartTarEntity.write",
    "sun.security.ssl.SSLSocketImpl$AppOutputStream.write",
    "com.sun.crypto.provider.GaloisCounterMode$GCMEncrypt.doFinal",
    "sun.nio.ch.NioSocketImpl.write",
    "sun.nio.ch.NioSocketImpl.park",
    "sun.nio.ch.FileChannelImpl.read",
]

jfr, suffix = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else " - upload"
limit = int(sys.argv[3]) if len(sys.argv) > 3 else 15
out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events",
                      "jdk.ExecutionSample,jdk.NativeMethodSample", jfr], check=True, capture_output=True).stdout


def frame(f):
    m = f["method"]
    return (m["type"]["name"] + "." + m["name"]).replace("/", ".")


stacks = []
for e in json.loads(out)["recording"]["events"]:
    v = e["values"]
    if (v.get("sampledThread") or {}).get("javaName", "").endswith(suffix) and v["stackTrace"]["frames"]:
        kind = "native" if e["type"] == "jdk.NativeMethodSample" else "java"
        stacks.append((kind, [frame(f) for f in v["stackTrace"]["frames"]]))
n = len(stacks)
if n == 0:
    sys.exit(f"{jfr}: no method samples on threads named *{suffix}")
print(f"{jfr}: {n} samples on threads named *{suffix}")
print("top frames:")
for (kind, f), c in collections.Counter((k, s[0]) for k, s in stacks).most_common(limit):
    print(f"  {100 * c / n:5.1f}%  {kind:6} {f}")
print("anywhere on the stack:")
for f in INCLUSIVE:
    c = sum(1 for _, s in stacks if f in s)
    if c:
        print(f"  {100 * c / n:5.1f}%  {f}")
