#!/bin/sh
# Throughput of the load endpoint with wrk (apt-get install wrk nginx), with the JVM options of
# config/jvm.options, against nginx serving the same 6-byte answer as a static file in the
# same run. After a warm-up of both, RUNS rounds alternate `wrk -t2 -c50 -d10s` on nginx and on
# the service (so machine noise hits both alike); prints each run, both medians, the ratio, and
# the service's collections during the measured rounds (from its own metrics: jstat needs
# PerfData, which the unit turns off). Loopback only.
# usage: bench/load-wrk.sh [RUNS] [WARMUP]   defaults: 5 rounds, 15 s warm-up of each (the JIT
#   needs it on a busy machine);  JAR=... JAVA_OPTS=... measure another build or other options
set -eu
RUNS=${1:-5}
WARMUP=${2:-15}
. "$(dirname "$0")/common.sh"
NGINX_PORT=${NGINX_PORT:-18766}
WORK=${WORK:-/tmp/b3lb-bench/wrk}
NGINX_PID=
finish() {
    stop_node
    [ -z "$NGINX_PID" ] || kill "$NGINX_PID" 2>/dev/null || true
}
trap finish EXIT

rm -rf "$WORK" && mkdir -p "$WORK/www"
printf '45.32\n' > "$WORK/www/index.txt"
# one worker, as the service is one process; access log off, as the service logs no requests
cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location = / { root $WORK/www; default_type text/plain; try_files /index.txt =404; }
  }
}
NGINX
nginx -c "$WORK/nginx.conf" &
NGINX_PID=$!

start_node
wait_for_load
until curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/"; do sleep 0.05; done

one() { # url -> "rate p99 errors"
    out=$(wrk -t2 -c50 -d10s --latency "$1")
    rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    errors=$(echo "$out" | grep -E "Socket errors|Non-2xx" | tr '\n' ' ')
    echo "$rate p99=$p99 ${errors:-0 errors}"
}

wrk -t2 -c50 -d"${WARMUP}s" "http://127.0.0.1:$NGINX_PORT/" >/dev/null
wrk -t2 -c50 -d"${WARMUP}s" "http://127.0.0.1:$LOAD_PORT/" >/dev/null
MAJOR='jvm_gc_pause_seconds_count{action="end of major GC"'
MINOR='jvm_gc_pause_seconds_count{action="end of minor GC"'
major0=$(metric "$MAJOR"); minor0=$(metric "$MINOR")
WORKER=$(pgrep -P "$NGINX_PID" | head -1)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
: > "$WORK/nginx.txt"; : > "$WORK/node.txt"; : > "$WORK/nginx.cpu"; : > "$WORK/node.cpu"
i=0
# CPU per request (the process's own user+system time over the requests wrk counted) is the
# figure that survives a busy machine best: throughput falls with every other process's load
while [ "$i" -lt "$RUNS" ]; do
    i=$((i + 1))
    c0=$(ticks "$WORKER"); n=$(one "http://127.0.0.1:$NGINX_PORT/"); c1=$(ticks "$WORKER")
    echo "run $i nginx:     $n"; echo "${n%% *}" >> "$WORK/nginx.txt"
    awk -v c="$((c1 - c0))" -v r="${n%% *}" -v t="$(getconf CLK_TCK)" 'BEGIN {print c / t / (r * 10) * 1e6}' >> "$WORK/nginx.cpu"
    c0=$(ticks "$PID"); s=$(one "http://127.0.0.1:$LOAD_PORT/"); c1=$(ticks "$PID")
    echo "run $i b3lb-node: $s"; echo "${s%% *}" >> "$WORK/node.txt"
    awk -v c="$((c1 - c0))" -v r="${s%% *}" -v t="$(getconf CLK_TCK)" 'BEGIN {print c / t / (r * 10) * 1e6}' >> "$WORK/node.cpu"
done
major1=$(metric "$MAJOR"); minor1=$(metric "$MINOR")
ng=$(median < "$WORK/nginx.txt"); nd=$(median < "$WORK/node.txt")
awk -v g="$ng" -v d="$nd" -v r="$RUNS" 'BEGIN {printf "median over %d rounds: nginx %.0f req/s, b3lb-node %.0f req/s: %.2fx nginx\n", r, g, d, d / g}'
awk -v g="$(median < "$WORK/nginx.cpu")" -v d="$(median < "$WORK/node.cpu")" \
    'BEGIN {printf "median CPU per request: nginx %.1f us, b3lb-node %.1f us: %.2fx nginx'"'"'s\n", g, d, d / g}'
echo "b3lb-node collections during the measured rounds: $((minor1 - minor0)) young, $((major1 - major0)) full"
echo "RSS after the runs: $(( $(ps -o rss= -p "$PID") / 1024 )) MiB; load average $(cut -d' ' -f1-3 /proc/loadavg)"
