#!/usr/bin/env bash
# Upload throughput: one 1 GiB tar to a local sink, b3lb-node against `curl -F recording=@file`.
# Everything stays on 127.0.0.1. Rounds alternate curl and the service (machine noise hits both
# alike), after one warm-up upload of each, and go through the sinks in turn. Prints each round,
# then per sink: medians, the ratio, CPU time per upload and the service's RSS growth during its
# uploads (peak VmRSS while uploading minus VmRSS when idle before).
#
#   bench/upload-throughput.sh [RUNS] [SIZE_MIB]      defaults: 5 runs, 1024 MiB
#   HEAP=-Xmx64m bench/upload-throughput.sh           run the service with a small heap
#   SPARSE=1 bench/upload-throughput.sh 1 4096        a sparse 4 GiB file (no disk, no urandom)
#   JAVA_EXTRA="-XX:+UseSerialGC ..."                 more JVM options for the service
#   JFR=1                                             a flight recording per service ($WORK/<sink>/node.jfr,
#                                                     1 ms sampling), summarised by bench/jfr-top.py at the end
#   SINKS="py http https"                             sinks, in round order (default: py)
#     py     bench/sink.py directly: reads every body to the end, then answers 204
#     http   nginx on 127.0.0.1 passing each body unbuffered (proxy_request_buffering off) to that sink
#     https  the same nginx server with TLS 1.3 only and a self-signed ECDSA P-256 certificate made
#            here; the service trusts it through a PKCS12 trust store given as
#            -Djavax.net.ssl.trustStore (every service gets it, so their JVM options are the same),
#            curl through --cacert. The access log shows each request's $ssl_protocol/$ssl_cipher.
#            nginx lets the client choose the suite: curl and Java 17 both take TLS_AES_256_GCM_SHA384.
#     https128  the same with TLS_AES_128_GCM_SHA256, the only suite nginx offers on that port
# Not nginx alone: its `return 204` answers before the body is read and then discards it 4 KiB per read.
# One service per sink (b3lb.upload.endpoint is one URL), each with its own recording directory.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
SIZE_MIB=${2:-1024}
PORT=${PORT:-18090}
WORK=${WORK:-/tmp/b3lb-bench/throughput}
HEAP=${HEAP:--Xmx256m}
read -r -a SINK_LIST <<< "${SINKS:-py}"

[ -f target/b3lb-node.jar ] || mvn -B -q package -DskipTests
rm -rf "$WORK" && mkdir -p "$WORK"
DATA="$WORK/data.bin"
if [ "${SPARSE:-0}" = 1 ]; then truncate -s "${SIZE_MIB}M" "$DATA"; else head -c "${SIZE_MIB}M" /dev/urandom > "$DATA"; fi
touch -d '1 hour ago' "$DATA"

PIDS=()
declare -A NODE URL IDLE
# waits for the services too: each writes its flight recording while it stops
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait; }
trap cleanup EXIT
# the sink may take seconds to start on a busy machine (pyenv shims): wait for its port, not a fixed time
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; echo "nothing listens on $1" >&2; exit 1; }
python3 bench/sink.py "$PORT" 204 & PIDS+=($!)
wait_port "$PORT"
URL[py]="http://127.0.0.1:$PORT/b3lb/b/recording/upload"

TLS_OPTS=()
CACERT=()
if [[ " ${SINK_LIST[*]} " == *" http"* ]]; then
  NG="$WORK/nginx"
  mkdir -p "$NG"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout "$NG/key.pem" -out "$NG/cert.pem" 2>/dev/null
  keytool -importcert -noprompt -alias b3lb-bench-sink -file "$NG/cert.pem" -keystore "$NG/trust.p12" \
    -storetype PKCS12 -storepass bench-trust > /dev/null 2>&1
  TLS_OPTS=(-Djavax.net.ssl.trustStore="$NG/trust.p12" -Djavax.net.ssl.trustStorePassword=bench-trust -Djavax.net.ssl.trustStoreType=PKCS12)
  CACERT=(--cacert "$NG/cert.pem")
  cat > "$NG/nginx.conf" <<CFG
daemon off;
worker_processes 1;
pid $NG/nginx.pid;
error_log $NG/error.log;
events { worker_connections 64; }
http {
  log_format sink '\$server_port \$status \$request_length \$ssl_protocol \$ssl_cipher \$request_time "\$http_user_agent"';
  access_log $NG/access.log sink;
  client_body_temp_path $NG/body; proxy_temp_path $NG/proxy; fastcgi_temp_path $NG/fastcgi;
  uwsgi_temp_path $NG/uwsgi; scgi_temp_path $NG/scgi;
  client_max_body_size 0;
  client_body_buffer_size 1m;
  upstream sink { server 127.0.0.1:$PORT; keepalive 4; }
  ssl_certificate $NG/cert.pem;
  ssl_certificate_key $NG/key.pem;
  ssl_protocols TLSv1.3;
  server {
    listen 127.0.0.1:$((PORT + 3));
    listen 127.0.0.1:$((PORT + 4)) ssl;
    location / { proxy_pass http://sink; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_request_buffering off; }
  }
  server {
    listen 127.0.0.1:$((PORT + 5)) ssl;
    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;
    location / { proxy_pass http://sink; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_request_buffering off; }
  }
}
CFG
  nginx -c "$NG/nginx.conf" & PIDS+=($!)
  wait_port $((PORT + 3))
  URL[http]="http://127.0.0.1:$((PORT + 3))/b3lb/b/recording/upload"
  URL[https]="https://127.0.0.1:$((PORT + 4))/b3lb/b/recording/upload"
  URL[https128]="https://127.0.0.1:$((PORT + 5))/b3lb/b/recording/upload"
fi

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system, in 1/100 s

k=0
for s in "${SINK_LIST[@]}"; do
  [ -n "${URL[$s]:-}" ] || { echo "unknown sink '$s' in SINKS; use py, http, https or https128" >&2; exit 2; }
  mkdir -p "$WORK/$s/archived"
  cat > "$WORK/$s/application.properties" <<CFG
b3lb.recording-dir=$WORK/$s/archived
b3lb.routes-dir=$PWD/routes
b3lb.load.port=$((PORT + 10 + 2 * k))
b3lb.management.port=$((PORT + 11 + 2 * k))
b3lb.upload.endpoint=${URL[$s]}
b3lb.upload.secret=bench
b3lb.upload.poll-delay=100ms
CFG
  jfr=()
  [ "${JFR:-0}" = 1 ] && jfr=("-XX:StartFlightRecording=filename=$WORK/$s/node.jfr,settings=profile,jdk.ExecutionSample#period=1ms,jdk.NativeMethodSample#period=1ms")
  # shellcheck disable=SC2086
  java $HEAP ${JAVA_EXTRA:-} "${TLS_OPTS[@]}" "${jfr[@]}" -jar target/b3lb-node.jar run \
    --config "$WORK/$s/application.properties" > "$WORK/$s/node.log" 2>&1 & NODE[$s]=$!
  PIDS+=("${NODE[$s]}")
  k=$((k + 1))
done

upload() { # sink id -> waits until the marker is gone, samples RSS meanwhile, prints peak RSS in KiB
  local dir="$WORK/$1/archived" pid=${NODE[$1]} peak=0 r
  ln "$DATA" "$dir/$2.tar"
  touch "$dir/$2.ready"
  while [ -e "$dir/$2.ready" ]; do
    r=$(rss "$pid"); [ "$r" -gt "$peak" ] && peak=$r
    sleep 0.02
  done
  echo "$peak"
}
node_seconds() { # sink id -> the upload's time from the route's line (only a 2xx writes it): its MB/s has 4-5 digits, its duration 2
  local line
  # the marker goes before the log line is written: wait for the line
  until line=$(grep "uploaded $2:" "$WORK/$1/node.log"); do sleep 0.05; done
  sed -E 's/.* \(([0-9.]+) MB\/s\).*/\1/' <<< "$line" | awk -v b=$((SIZE_MIB * 1048576)) '{printf "%.4f\n", b / ($1 * 1e6)}'
}
curl_upload() { # sink name -> "seconds cpu-seconds"
  local out
  out=$({ TIMEFORMAT='%3U %3S'; time curl -s "${CACERT[@]}" -o /dev/null -w '%{http_code} %{time_total}\n' \
    -H 'X-Node-Secret: bench' -F "recording=@$DATA;filename=$2.tar" "${URL[$1]}"; } 2>&1)
  read -r code t u sy <<< "$(tr '\n' ' ' <<< "$out")"
  [ "$code" = 204 ] || { echo "$1: curl got $code" >&2; exit 1; }
  echo "$t $(awk -v u="$u" -v s="$sy" 'BEGIN {print u + s}')"
}

for s in "${SINK_LIST[@]}"; do
  until grep -qs "started in" "$WORK/$s/node.log"; do kill -0 "${NODE[$s]}" || exit 1; sleep 0.2; done
  upload "$s" warmup > /dev/null
  curl_upload "$s" warmup > /dev/null
done
sleep 1
for s in "${SINK_LIST[@]}"; do IDLE[$s]=$(rss "${NODE[$s]}"); : > "$WORK/$s/results.txt"; done
echo "$RUNS rounds over sinks ${SINK_LIST[*]}, each curl -F recording=@file ($SIZE_MIB MiB) then b3lb-node ($HEAP);"
echo "b3lb-node's seconds from the route's 'uploaded' line, CPU seconds of curl and of the service during the upload,"
echo "load average at the round's start:"
for i in $(seq "$RUNS"); do
  l=$(cut -d' ' -f1-3 /proc/loadavg)
  for s in "${SINK_LIST[@]}"; do
    r=$(curl_upload "$s" "c$i"); read -r c ccpu <<< "$r"
    before=$(cpu_ticks "${NODE[$s]}")
    peak=$(upload "$s" "n$i")
    t=$(node_seconds "$s" "n$i")
    ncpu=$(( $(cpu_ticks "${NODE[$s]}") - before ))
    awk -v s="$s" -v i="$i" -v c="$c" -v t="$t" -v cc="$ccpu" -v nc="$ncpu" -v p="$peak" -v l="$l" 'BEGIN {
      printf "  %d %-8s curl %.3f s (cpu %.2f)  b3lb-node %.3f s (cpu %.2f)  %.2fx  peak RSS %d MiB  load %s\n",
        i, s, c, cc, t, nc / 100, c / t, p / 1024, l }'
    echo "$c $t $ccpu $(awk -v n="$ncpu" 'BEGIN {print n / 100}') $((peak - IDLE[$s]))" >> "$WORK/$s/results.txt"
  done
done
declare -A MC MN
for s in "${SINK_LIST[@]}"; do
  f="$WORK/$s/results.txt"
  MC[$s]=$(cut -d' ' -f1 "$f" | median); MN[$s]=$(cut -d' ' -f2 "$f" | median)
  awk -v s="$s" -v c="${MC[$s]}" -v n="${MN[$s]}" -v cc="$(cut -d' ' -f3 "$f" | median)" \
      -v nc="$(cut -d' ' -f4 "$f" | median)" -v g="$(cut -d' ' -f5 "$f" | sort -n | tail -1)" \
      -v r="$(awk '{print $1 / $2}' "$f" | median)" -v m="$SIZE_MIB" -v idle="${IDLE[$s]}" 'BEGIN {
    printf "%-8s median curl %.3f s (%.0f MB/s), b3lb-node %.3f s (%.0f MB/s): ratio %.2fx of curl (median of the rounds %.2fx)\n",
      s, c, m * 1.048576 / c, n, m * 1.048576 / n, c / n, r
    printf "         CPU per upload: curl %.2f s, b3lb-node %.2f s; b3lb-node RSS idle %d MiB, worst growth during an upload %.1f MiB\n",
      cc, nc, idle / 1024, g / 1024 }'
done
for s in https https128; do
  if [ -n "${MC[$s]:-}" ] && [ -n "${MC[http]:-}" ]; then
    awk -v s="$s" -v ch="${MC[http]}" -v cs="${MC[$s]}" -v nh="${MN[http]}" -v ns="${MN[$s]}" 'BEGIN {
      printf "%s/http throughput (medians): curl %.2fx, b3lb-node %.2fx\n", s, ch / cs, nh / ns }'
  fi
done
if [ -n "${NG:-}" ]; then
  echo "nginx access log (port status protocol cipher client: requests, first request length):"
  awk '{ua = $0; sub(/^[^"]*"/, "", ua); sub(/"$/, "", ua); k = $1 " " $2 " " $4 " " $5 " " ua; n[k]++; if (!(k in len)) len[k] = $3}
       END {for (k in n) printf "  %s: %d, %d bytes\n", k, n[k], len[k]}' "$NG/access.log" | sort
fi
if [ "${JFR:-0}" = 1 ]; then
  cleanup; trap - EXIT
  for s in "${SINK_LIST[@]}"; do echo "$s:"; python3 bench/jfr-top.py "$WORK/$s/node.jfr" " - upload" 12; done
fi
