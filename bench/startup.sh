#!/usr/bin/env bash
# Time from `java -jar` to the first 200 from the load endpoint, and idle RSS after a wait.
# Usage: bench/startup.sh [runs] [idle-seconds]   (needs a built target/b3lb-node.jar)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
idle=${2:-60}
port=${PORT:-18865}
opts=${JAVA_OPTS:--Xmx96m -XX:+UseSerialGC -XX:MaxMetaspaceSize=96m -Xss512k -XX:TieredStopAtLevel=1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
times=()
for i in $(seq "$runs"); do
  t0=$(date +%s%N)
  java $opts -jar target/b3lb-node.jar --config config/dev.properties --b3lb.load.port=$port \
    --b3lb.management.port=$((port + 1)) --b3lb.recording-dir="$work" >"$work/log" 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.02; done
  t1=$(date +%s%N)
  times+=($(( (t1 - t0) / 1000000 )))
  if [ "$i" -eq "$runs" ]; then
    sleep "$idle"
    echo "idle RSS after ${idle}s: $(( $(ps -o rss= -p $pid) / 1024 )) MiB (JAVA_OPTS: $opts)"
  fi
  kill $pid; wait $pid 2>/dev/null || true
done
echo "start-to-first-answer ms: ${times[*]}"
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median ms:", a[int((NR+1)/2)]}'
