#!/usr/bin/env bash
# b3lb.upload.max-rate (issue 23): what the cap lets through, and what it costs.
# - Capped: 1, 2 and 4 concurrent uploads (b3lb.upload.concurrency=4) sending CAP x SECONDS bytes
#   together to bench/rate-sink.py, which notes when each piece arrives; the rate over every 1 s
#   window (one starting every 100 ms from 0.5 s into the transfer; the one from its first byte in
#   brackets) against the cap: min/median/max, and
#   the service's CPU (user + system from /proc/PID/stat) per GiB sent.
# - Uncapped: one 1 GiB upload to bench/sink.py, as bench/upload-throughput.sh measures it (seconds
#   from the route's 'uploaded' line, CPU per GiB). BEFORE_JAR=another build alternates with it, so
#   "unchanged" is judged under the same machine load.
# Everything stays on 127.0.0.1; tars are random bytes (urandom), the service runs with HEAP.
#
#   bench/upload-rate.sh [CAP] [SECONDS] [RUNS]   defaults: 50M, 20 s per capped case, 3 uncapped runs
#   BEFORE_JAR=/tmp/base/target/b3lb-node.jar bench/upload-rate.sh
#   CASES="1 4"                                   which concurrent-upload counts to measure capped ("": none)
set -euo pipefail
cd "$(dirname "$0")/.."
CAP=${1:-50M}
SECS=${2:-20}
RUNS=${3:-3}
PORT=${PORT:-18190}
WORK=${WORK:-/tmp/b3lb-bench/rate}
HEAP=${HEAP:--Xmx256m}
JAR=${JAR:-target/b3lb-node.jar}

cap_bytes() { awk -v v="$1" 'BEGIN { n = v + 0; u = toupper(substr(v, length(n "") + 1, 1));
  m = u == "K" ? 1024 : u == "M" ? 1048576 : u == "G" ? 1073741824 : 1; printf "%d\n", n * m }'; }
CAP_BYTES=$(cap_bytes "$CAP")
GIB=1073741824

[ -f "$JAR" ] || mvn -B -q package -DskipTests
rm -rf "$WORK" && mkdir -p "$WORK"
TOTAL=$((CAP_BYTES * SECS))
head -c "$TOTAL" /dev/urandom > "$WORK/capped.bin"
head -c "$GIB" /dev/urandom > "$WORK/1g.bin"
touch -d '1 hour ago' "$WORK/capped.bin" "$WORK/1g.bin"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait; }
trap cleanup EXIT
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; echo "nothing listens on $1" >&2; exit 1; }
python3 bench/rate-sink.py "$PORT" & PIDS+=($!)
python3 bench/sink.py $((PORT + 1)) 204 & PIDS+=($!)
wait_port "$PORT"; wait_port $((PORT + 1))

declare -A NODE
k=0
start() { # name jar sink-port extra-config-lines
  mkdir -p "$WORK/$1/archived"
  cat > "$WORK/$1/application.properties" <<CFG
b3lb.recording-dir=$WORK/$1/archived
b3lb.routes-dir=$PWD/routes
b3lb.load.port=$((PORT + 10 + 2 * k))
b3lb.management.port=$((PORT + 11 + 2 * k))
b3lb.upload.endpoint=http://127.0.0.1:$3/b3lb/b/recording/upload
b3lb.upload.secret=bench
b3lb.upload.poll-delay=100ms
$4
CFG
  # shellcheck disable=SC2086
  java $HEAP ${JAVA_EXTRA:-} -jar "$2" run --config "$WORK/$1/application.properties" > "$WORK/$1/node.log" 2>&1 &
  NODE[$1]=$!; PIDS+=($!); k=$((k + 1))
}
start capped "$JAR" "$PORT" $'b3lb.upload.max-rate='"$CAP"$'\nb3lb.upload.concurrency=4'
start uncapped "$JAR" $((PORT + 1)) ""
SERVICES=(uncapped)
if [ -n "${BEFORE_JAR:-}" ]; then start before "$BEFORE_JAR" $((PORT + 1)) ""; SERVICES+=(before); fi
for s in capped "${SERVICES[@]}"; do
  until grep -qs "started in" "$WORK/$s/node.log"; do kill -0 "${NODE[$s]}" || { cat "$WORK/$s/node.log"; exit 1; }; sleep 0.2; done
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system, in 1/100 s
drop() { # service id file: the hook's order, tar then marker
  ln "$3" "$WORK/$1/archived/$2.tar"; touch "$WORK/$1/archived/$2.ready"
}
gone() { for m in "$WORK/$1"/archived/*.ready; do [ -e "$m" ] && return 1; done; return 0; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# warm-up: one small upload each, so class loading and the first connection are not measured
head -c $((4 * 1048576)) "$WORK/1g.bin" > "$WORK/warm.bin"; touch -d '1 hour ago' "$WORK/warm.bin"
for s in capped "${SERVICES[@]}"; do drop "$s" warm "$WORK/warm.bin"; done
for s in capped "${SERVICES[@]}"; do until gone "$s"; do sleep 0.05; done; done
curl -sf "http://127.0.0.1:$PORT/samples" > /dev/null
# what the service spends doing nothing (polls every 100 ms, JVM housekeeping), taken off the capped cases' CPU
IDLE_SECS=10
before=$(cpu_ticks "${NODE[capped]}"); sleep "$IDLE_SECS"
IDLE_TICKS=$(( $(cpu_ticks "${NODE[capped]}") - before ))

echo "cap $CAP ($CAP_BYTES bytes/s), $SECS s of data per case ($((TOTAL / 1048576)) MiB), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "capped: rate at the receiver over 1 s windows, as a share of the cap (min / median / max), whole-case average,"
echo "CPU per GiB (in brackets: less the idle service's $IDLE_TICKS ticks per $IDLE_SECS s)"
for n in ${CASES-1 2 4}; do
  size=$((TOTAL / n))
  for i in $(seq "$n"); do head -c "$size" "$WORK/capped.bin" > "$WORK/part$i.bin"; touch -d '1 hour ago' "$WORK/part$i.bin"; done
  before=$(cpu_ticks "${NODE[capped]}")
  for i in $(seq "$n"); do drop capped "c$n-$i" "$WORK/part$i.bin"; done
  until gone capped; do sleep 0.05; done
  ticks=$(( $(cpu_ticks "${NODE[capped]}") - before ))
  curl -sf "http://127.0.0.1:$PORT/samples" > "$WORK/samples-$n.txt"
  rm -f "$WORK"/part*.bin
  python3 - "$WORK/samples-$n.txt" "$CAP_BYTES" "$n" "$ticks" "$TOTAL" "$((IDLE_TICKS * 1000 / IDLE_SECS))" <<'PY'
import bisect, statistics, sys
path, cap, n, ticks, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
idle = int(sys.argv[6]) / 1000  # ticks per second
s = sorted((float(t), int(b)) for t, b in (l.split() for l in open(path)))
times = [t for t, _ in s]
cum = [0]
for _, b in s:
    cum.append(cum[-1] + b)
first, last = times[0], times[-1]
def share(w):
    return (cum[bisect.bisect_left(times, w + 1.0)] - cum[bisect.bisect_left(times, w)]) / cap
# from 0.5 s on: a receiver that starts reading late (a busy machine) finds the first bursts queued in its socket
shares, w = [], first + 0.5
while w + 1.0 <= last:
    shares.append(share(w))
    w += 0.1
gib = total / 2**30
print("  %d upload%s: %3d windows  min %.3f  median %.3f  max %.3f  (first %.3f)  average %.3f over %.1f s  CPU %.2f s per GiB (%.2f)"
      % (n, " " if n == 1 else "s", len(shares), min(shares), statistics.median(shares), max(shares), share(first),
         cum[-1] / (last - first) / cap, last - first, ticks / 100 / gib, (ticks - idle * (last - first)) / 100 / gib))
PY
done

echo "uncapped: one 1 GiB upload to bench/sink.py, $RUNS rounds${BEFORE_JAR:+ alternating with BEFORE_JAR=$BEFORE_JAR (which goes first alternates)}"
node_seconds() { # service id -> seconds from the route's line (its MB/s has 4-5 digits)
  local line
  until line=$(grep "uploaded $2:" "$WORK/$1/node.log"); do sleep 0.05; done
  sed -E 's/.* \(([0-9.]+) MB\/s\).*/\1/' <<< "$line" | awk -v b=$GIB '{printf "%.4f\n", b / ($1 * 1e6)}'
}
for s in "${SERVICES[@]}"; do : > "$WORK/$s.results"; done
for i in $(seq "$RUNS"); do
  order=("${SERVICES[@]}")
  [ $((i % 2)) = 0 ] && [ ${#order[@]} = 2 ] && order=("${order[1]}" "${order[0]}") # who goes first alternates too
  for s in "${order[@]}"; do
    before=$(cpu_ticks "${NODE[$s]}")
    drop "$s" "u$i" "$WORK/1g.bin"
    until gone "$s"; do sleep 0.02; done
    t=$(node_seconds "$s" "u$i")
    ticks=$(( $(cpu_ticks "${NODE[$s]}") - before ))
    echo "$t $ticks" >> "$WORK/$s.results"
    awk -v s="$s" -v i="$i" -v t="$t" -v c="$ticks" -v l="$(cut -d' ' -f1-3 /proc/loadavg)" \
      'BEGIN { printf "  %d %-8s %.3f s (%.0f MB/s)  CPU %.2f s  load %s\n", i, s, t, 1073.741824 / t, c / 100, l }'
  done
done
for s in "${SERVICES[@]}"; do
  awk -v s="$s" -v t="$(cut -d' ' -f1 "$WORK/$s.results" | median)" -v c="$(cut -d' ' -f2 "$WORK/$s.results" | median)" \
    'BEGIN { printf "%-8s median %.3f s (%.0f MB/s), CPU %.2f s per GiB\n", s, t, 1073.741824 / t, c / 100 }'
done
