#!/usr/bin/env bash
# Load comparison on one machine, loopback only: direct to a fast backend vs through Wakegate
# (the real jar) vs through nginx as a plain keep-alive reverse proxy. Writes
# benchmarks/results/results.md and benchmarks/results/latency-throughput.png (docs/benchmarks.md).
#
#   benchmarks/load/compare.sh            # the full run, about 8 minutes; hard limit 15 minutes
#   SECTIONS=rounds benchmarks/load/compare.sh                # only the interleaved rounds (about 5 minutes)
#   DURATION=3 RATES="2000 4000" benchmarks/load/compare.sh   # shorter
#
# The reference comparison is the interleaved rounds: after one warm-up of every path, each round
# measures direct, nginx and Wakegate back to back (small, then 1 MiB responses; nginx and Wakegate
# take turns going first), so a slow patch of the machine hits all three; results.md gives each
# round's Wakegate/nginx ratio and the median.
#
# Needs root (or sudo) only to apt-get install wrk, nghttp2-client (h2load) and nginx when missing.
# Every server binds 127.0.0.1 on fixed ports 18080-18202; the script stops if one is taken.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$ROOT/benchmarks/results}
RAW=$OUT/raw
BENCH_JAR=$ROOT/benchmarks/target/benchmarks.jar
WAKEGATE_JAR=${WAKEGATE_JAR:-$ROOT/interceptor/target/wakegate.jar}   # another build to compare: WAKEGATE_JAR=... WAKEGATE_JVM=
WAKEGATE_JAVA=${WAKEGATE_JAVA:-java}              # the java that runs the Wakegate under test (e.g. a JDK 25's bin/java)
WAKEGATE_TRANSPORT=${WAKEGATE_TRANSPORT:-auto}   # server.transport of the Wakegate under test: auto, epoll, io_uring, nio

DURATION=${DURATION:-8}          # seconds per measured wrk run
WARMUP=${WARMUP:-2}              # seconds of warm-up before each measured run (same for every path)
PREWARM=${PREWARM:-20}           # seconds of load on each path once at the start (JIT of the JVMs)
ROUNDS=${ROUNDS:-4}              # interleaved rounds of the fixed-concurrency comparison (even: each proxy first in half)
CONNECTIONS=${CONNECTIONS:-64}   # wrk connections (fixed concurrency)
WRK_THREADS=${WRK_THREADS:-2}    # wrk threads
SECTIONS=${SECTIONS:-all}        # all, or rounds: only the interleaved fixed-concurrency rounds
RATES=${RATES:-"1000 4000 8000 12000 16000 20000"}  # h2load fixed request rates (req/s, total)
RATE_CONNECTIONS=${RATE_CONNECTIONS:-16}
RATE_DURATION=${RATE_DURATION:-5}
LARGE=${LARGE:-1048576}          # bytes of the large response
HELD=${HELD:-10000}              # held requests for the memory figure
HELD_UPLOAD=${HELD_UPLOAD:-2000} # held uploading clients (1 MiB bodies) for the same figure
LIMIT=${LIMIT:-890}              # seconds: the whole run is cut off after this

BACKEND_PORT=18080
WAKEGATE_PORT=18081
NGINX_PORT=18082
WAKEGATE_ADMIN=18091
COLD_FIRST=18110
COLD_TRIALS=10
HELD_PORT=18201
HELD_ADMIN=18202

START=$(date +%s)
WORK=$(mktemp -d /tmp/wakegate-compare.XXXXXX)
PIDS=()

log() { printf '[%4ss] %s\n' "$(( $(date +%s) - START ))" "$*" >&2; }

cleanup() {
  local pid
  pkill -P "$WATCHDOG" 2>/dev/null || true   # the watchdog's sleep
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  sleep 0.5
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'log "time limit of ${LIMIT}s reached"; exit 124' USR1
( sleep "$LIMIT"; kill -USR1 $$ 2>/dev/null ) &
WATCHDOG=$!
disown "$WATCHDOG"
PIDS+=("$WATCHDOG")

# ---- tools --------------------------------------------------------------------------------
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v h2load >/dev/null || need+=(nghttp2-client)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]} from Debian"
  SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -f "$BENCH_JAR" ] || [ ! -f "$WAKEGATE_JAR" ]; then
  log "building (./mvnw install -DskipTests)"
  (cd "$ROOT" && ./mvnw -B -q install -DskipTests)
fi
for p in $BACKEND_PORT $WAKEGATE_PORT $NGINX_PORT $WAKEGATE_ADMIN $HELD_PORT $HELD_ADMIN \
         $(seq $COLD_FIRST $((COLD_FIRST + COLD_TRIALS - 1))); do
  if (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
    echo "port $p on 127.0.0.1 is in use; stop what listens there first" >&2
    exit 1
  fi
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
mkdir -p "$RAW"
rm -f "$RAW"/*.tsv

# ---- helpers ------------------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)

# utime+stime ticks summed over the given pids (all threads of each process)
cpu_ticks() {
  local total=0 pid t
  for pid in "$@"; do
    t=$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')
    total=$((total + t))
  done
  echo "$total"
}

# VmHWM (peak RSS) in kB summed over the given pids
peak_rss_kb() {
  local total=0 pid v
  for pid in "$@"; do
    v=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
    total=$((total + v))
  done
  echo "$total"
}

wait_http() { # url [seconds]
  local i
  for i in $(seq 1 $(( ${2:-30} * 10 ))); do
    if curl -fs -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "not answering: $1" >&2
  return 1
}
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }

cat > "$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %.1f %.1f %.1f %.1f\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
LUA

# ---- servers ------------------------------------------------------------------------------
log "starting the backend (FastBackend, 1 event loop) on :$BACKEND_PORT"
java -Xms256m -Xmx256m -cp "$BENCH_JAR" io.wakegate.benchmarks.support.FastBackend \
  --port $BACKEND_PORT --threads 1 > "$WORK/backend.log" 2>&1 &
BACKEND_PID=$!; PIDS+=("$BACKEND_PID")
wait_http "http://127.0.0.1:$BACKEND_PORT/health"

cold_routes=""
for i in $(seq 0 $((COLD_TRIALS - 1))); do
  cold_routes+="
  - name: cold-$i
    match: {pathPrefixes: [/cold-$i/]}
    backend:
      static:
        urls: [http://127.0.0.1:$((COLD_FIRST + i))]
        healthCheck: {path: /health, interval: 100ms, timeout: 100ms}"
done
cat > "$WORK/wakegate.yaml" <<YAML
server: {bindAddress: 127.0.0.1, port: $WAKEGATE_PORT, adminBindAddress: 127.0.0.1, adminPort: $WAKEGATE_ADMIN, transport: $WAKEGATE_TRANSPORT}
shutdown: {readinessDelay: 0s, drainTimeout: 2s}
routes:$cold_routes
  - name: bench
    match: {pathPrefixes: [/]}
    backend:
      static:
        urls: [http://127.0.0.1:$BACKEND_PORT]
        healthCheck: {path: /health, interval: 2s, timeout: 1s}
YAML
# The launcher's JVM flags (interceptor/jvm.options), exactly as ./wakegate and the image run it.
WAKEGATE_JVM=${WAKEGATE_JVM-@$ROOT/interceptor/jvm.options}   # set it empty for none
log "starting Wakegate ($WAKEGATE_JAVA $WAKEGATE_JVM -jar wakegate.jar) on :$WAKEGATE_PORT"
# shellcheck disable=SC2086
"$WAKEGATE_JAVA" $WAKEGATE_JVM -jar "$WAKEGATE_JAR" --config "$WORK/wakegate.yaml" > "$WORK/wakegate.log" 2>&1 &
WAKEGATE_PID=$!; PIDS+=("$WAKEGATE_PID")
wait_http "http://127.0.0.1:$WAKEGATE_PORT/small"
sleep 2
WAKEGATE_IDLE_RSS_MB=$(( $(awk '/^VmRSS:/ {print $2}' "/proc/$WAKEGATE_PID/status") / 1024 ))
log "Wakegate idle RSS: $WAKEGATE_IDLE_RSS_MB MB ($(grep -o '[a-z_]* transport, [0-9]* event loops' "$WORK/wakegate.log" || echo 'transport not logged'))"

mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  upstream backend {
    server 127.0.0.1:$BACKEND_PORT;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    keepalive_requests 1000000;  # the default 1000 closes client connections; h2load does not reconnect
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_max_temp_file_size 0;
    }
  }
}
CONF
log "starting nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///') (worker_processes 2, keepalive upstream) on :$NGINX_PORT"
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!; PIDS+=("$NGINX_PID")
wait_http "http://127.0.0.1:$NGINX_PORT/small"
nginx_pids() { echo "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true); }

url_of() { case $1 in direct) echo "http://127.0.0.1:$BACKEND_PORT";; wakegate) echo "http://127.0.0.1:$WAKEGATE_PORT";;
                      nginx) echo "http://127.0.0.1:$NGINX_PORT";; esac; }
proxy_pids() { case $1 in direct) echo "";; wakegate) echo "$WAKEGATE_PID";; nginx) nginx_pids;; esac; }

# The flags WAKEGATE_JVM gives java, an @argfile expanded to its lines (comments left out).
jvm_flags() {
  set -f # a flag such as -Xlog:gc* is not a file pattern (a subshell: $(jvm_flags ...))
  local word out=()
  for word in "$@"; do
    if [[ $word == @* ]]; then
      out+=($(grep -v '^#' "${word#@}" 2>/dev/null | tr '\n' ' '))
    else
      out+=("$word")
    fi
  done
  echo "${out[*]:-(none)}"
}

# ---- environment --------------------------------------------------------------------------
{
  printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)"
  printf 'commit\t%s\n' "$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  printf 'cpu\t%s\n' "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  printf 'cores\t%s\n' "$(nproc)"
  printf 'memory\t%s\n' "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  printf 'kernel\t%s\n' "$(uname -sr)"
  printf 'os\t%s\n' "$(. /etc/os-release && echo "$PRETTY_NAME")"
  printf 'java\t%s\n' "$("$WAKEGATE_JAVA" -version 2>&1 | sed -n 2p)"
  printf 'wrk\t%s\n' "$(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')"
  printf 'h2load\t%s\n' "$(h2load --version 2>&1 | head -1)"
  printf 'nginx\t%s\n' "$("$NGINX" -v 2>&1)"
  printf 'loadavg_start\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'settings\twrk -t%s -c%s, %ss warm-up per path at start, then %s interleaved rounds of %ss warm-up + %ss measured per case; h2load --h1 -c%s fixed rates %s req/s, %ss each (+1s warm-up); backend FastBackend 1 event loop -Xmx256m; Wakegate java %s (%s); nginx worker_processes 2, upstream keepalive 64, keepalive_requests 1000000, proxy_max_temp_file_size 0\n' \
    "$WRK_THREADS" "$CONNECTIONS" "$PREWARM" "$ROUNDS" "$WARMUP" "$DURATION" "$RATE_CONNECTIONS" "${RATES// /\/}" "$RATE_DURATION" \
    "$WAKEGATE_JVM" "$(grep -o '[a-z_]* transport, [0-9]* event loops' "$WORK/wakegate.log" || echo '?')"
  printf 'wakegate_jvm_flags\t%s\n' "$(jvm_flags $WAKEGATE_JVM)"
} > "$RAW/env.tsv"

# ---- JIT warm-up ----------------------------------------------------------------------------
log "warm-up: ${PREWARM}s of wrk load on each path (not measured; lets the JVMs compile their hot paths)"
for path in direct wakegate nginx; do
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${PREWARM}s" "$(url_of $path)/small" > /dev/null
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d5s "$(url_of $path)/bytes/$LARGE" > /dev/null
done

# ---- fixed concurrency (wrk) -------------------------------------------------------------
printf 'round\tpath\tresponse\tconnections\trps\tp50_ms\tp99_ms\tp999_ms\tmax_ms\trequests\terrors\tproxy_cpu_us_per_req\tbackend_cpu_us_per_req\tproxy_peak_rss_mb\tloadavg_1m\n' > "$RAW/fixed.tsv"
fixed() { # round path response uri
  local round=$1 path=$2 response=$3 uri=$4 url pids c0 c1 b0 b1 line
  url=$(url_of "$path")$uri
  pids=$(proxy_pids "$path")
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$url" > /dev/null
  c0=$( [ -n "$pids" ] && cpu_ticks $pids || echo 0); b0=$(cpu_ticks "$BACKEND_PID")
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$WORK/report.lua" "$url" > "$WORK/wrk.out"
  c1=$( [ -n "$pids" ] && cpu_ticks $pids || echo 0); b1=$(cpu_ticks "$BACKEND_PID")
  line=$(grep '^RESULT' "$WORK/wrk.out")
  read -r _ req dur err p50 p99 p999 max <<< "$line"
  awk -v round="$round" -v path="$path" -v resp="$response" -v c="$CONNECTIONS" -v req="$req" -v dur="$dur" -v err="$err" \
      -v p50="$p50" -v p99="$p99" -v p999="$p999" -v max="$max" -v pc=$((c1 - c0)) -v bc=$((b1 - b0)) \
      -v tck="$CLK_TCK" -v rss="$( [ -n "$pids" ] && peak_rss_kb $pids || echo -1)" -v isproxy="${pids:+1}" \
      -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
    printf "%d\t%s\t%s\t%d\t%.0f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%d\t%s\t%.1f\t%s\t%s\n", round, path, resp, c, req / (dur / 1e6),
      p50 / 1000, p99 / 1000, p999 / 1000, max / 1000, req, err,
      isproxy ? sprintf("%.1f", pc / tck * 1e6 / req) : "-", bc / tck * 1e6 / req,
      isproxy ? sprintf("%.0f", rss / 1024) : "-", load }' >> "$RAW/fixed.tsv"
  log "round $round: $(tail -1 "$RAW/fixed.tsv" | cut -f2-9)"
}
for round in $(seq 1 "$ROUNDS"); do
  # nginx and Wakegate take turns going first: whichever runs later in a round would otherwise
  # always meet the machine a little later (a drift, or what the run before left behind).
  if (( round % 2 )); then order="direct nginx wakegate"; else order="direct wakegate nginx"; fi
  for response in small large; do
    for path in $order; do
      if [ $response = small ]; then fixed "$round" $path small /small; else fixed "$round" $path "1 MiB" "/bytes/$LARGE"; fi
    done
  done
done
printf 'wakegate_idle_rss_mb\t%s\nwakegate_peak_rss_mb\t%s\nnginx_peak_rss_mb\t%s\n' "$WAKEGATE_IDLE_RSS_MB" \
  "$(( $(peak_rss_kb $WAKEGATE_PID) / 1024 ))" "$(( $(peak_rss_kb $(nginx_pids)) / 1024 ))" > "$RAW/peak.tsv"

if [ "$SECTIONS" = rounds ]; then
  printf 'loadavg_end\t%s\nseconds\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$(( $(date +%s) - START ))" >> "$RAW/env.tsv"
  log "writing $OUT/results.md (rounds only)"
  java -Djava.awt.headless=true -cp "$BENCH_JAR" io.wakegate.benchmarks.load.ResultsReport --raw "$RAW" --out "$OUT"
  log "done in $(( $(date +%s) - START ))s"
  exit 0
fi

# ---- fixed rates (h2load, HTTP/1.1) --------------------------------------------------------
printf 'path\ttarget_rps\trps\tp50_ms\tp99_ms\tp999_ms\trequests\tfailed\n' > "$RAW/rates.tsv"
for rate in $RATES; do
  for path in direct wakegate nginx; do
    per=$(( (rate + RATE_CONNECTIONS - 1) / RATE_CONNECTIONS ))
    rm -f "$WORK/h2.log"
    h2load --h1 -t1 -c"$RATE_CONNECTIONS" --rps "$per" -D "$RATE_DURATION" --warm-up-time 1 \
      --log-file "$WORK/h2.log" "$(url_of $path)/small" > "$WORK/h2.out" 2>&1 || true
    failed=$(awk '/^requests:/ {print $10 + $12 + $14}' "$WORK/h2.out"); failed=${failed:-?}
    sort -t$'\t' -k3,3n "$WORK/h2.log" | awk -F'\t' -v path=$path -v target=$rate -v d="$RATE_DURATION" -v failed="$failed" '
      { v[NR] = $3; if (NR == 1 || $1 < t0) t0 = $1; if ($1 > t1) t1 = $1 }
      END {
        n = NR; if (n == 0) { printf "%s\t%d\t0\t-\t-\t-\t0\t%s\n", path, target, failed; exit }
        i50 = int(n * 0.50 + 0.999999); i99 = int(n * 0.99 + 0.999999); i999 = int(n * 0.999 + 0.999999)
        printf "%s\t%d\t%.0f\t%.3f\t%.3f\t%.3f\t%d\t%s\n", path, target, n / d, v[i50] / 1000, v[i99] / 1000, v[i999] / 1000, n, failed
      }' >> "$RAW/rates.tsv"
    log "rate $(tail -1 "$RAW/rates.tsv")"
  done
done

# ---- SSE chunk delay ---------------------------------------------------------------------
log "SSE chunk delay"
timeout 120 java -cp "$BENCH_JAR" io.wakegate.benchmarks.load.SseChunkDelay \
  --targets "direct=127.0.0.1:$BACKEND_PORT,wakegate=127.0.0.1:$WAKEGATE_PORT,nginx=127.0.0.1:$NGINX_PORT" \
  --events 200 --delay-ms 5 --rounds 3 --out "$RAW/sse.tsv" >&2

# ---- cold path ---------------------------------------------------------------------------
log "cold path: backend ready to first byte ($COLD_TRIALS trials, healthCheck.interval 100ms)"
timeout 120 java -cp "$BENCH_JAR" io.wakegate.benchmarks.load.ColdPath --proxy "127.0.0.1:$WAKEGATE_PORT" \
  --first-port $COLD_FIRST --trials $COLD_TRIALS --hold-ms 300 --out "$RAW/cold.tsv" >&2

printf 'wakegate_peak_rss_mb\t%s\nnginx_peak_rss_mb\t%s\n' "$(( $(peak_rss_kb $WAKEGATE_PID) / 1024 ))" \
  "$(( $(peak_rss_kb $(nginx_pids)) / 1024 ))" > "$RAW/peak-all.tsv"
kill "$NGINX_PID" "$WAKEGATE_PID" 2>/dev/null || true
wait "$NGINX_PID" "$WAKEGATE_PID" 2>/dev/null || true

# ---- memory per held request -----------------------------------------------------------------
cat > "$WORK/held.yaml" <<YAML
server: {bindAddress: 127.0.0.1, port: $HELD_PORT, adminBindAddress: 127.0.0.1, adminPort: $HELD_ADMIN}
shutdown: {readinessDelay: 0s, drainTimeout: 1s}
limits: {maxPendingRequestsTotal: $((HELD * 2))}
routes:
  - name: held
    match: {pathPrefixes: [/held/]}
    backend:
      static:
        urls: [http://127.0.0.1:9]
        healthCheck: {interval: 10s, timeout: 1s}
    hold: {coldStartTimeout: 10m, maxPendingRequests: $((HELD * 2))}
YAML
log "memory per held request: $HELD held requests on a fresh Wakegate"
"$WAKEGATE_JAVA" $WAKEGATE_JVM -jar "$WAKEGATE_JAR" --config "$WORK/held.yaml" > "$WORK/held.log" 2>&1 &
HELD_PID=$!; PIDS+=("$HELD_PID")
wait_http "http://127.0.0.1:$HELD_ADMIN/readyz"
timeout 180 java -cp "$BENCH_JAR" io.wakegate.benchmarks.load.HeldMemory --proxy "127.0.0.1:$HELD_PORT" \
  --admin "127.0.0.1:$HELD_ADMIN" --pid "$HELD_PID" --held "$HELD" --out "$RAW/held.tsv" >&2
kill "$HELD_PID" 2>/dev/null || true
wait "$HELD_PID" 2>/dev/null || true
log "memory per held request: $HELD_UPLOAD uploading held clients on a fresh Wakegate"
"$WAKEGATE_JAVA" $WAKEGATE_JVM -jar "$WAKEGATE_JAR" --config "$WORK/held.yaml" > "$WORK/held-upload.log" 2>&1 &
HELD_PID=$!; PIDS+=("$HELD_PID")
wait_http "http://127.0.0.1:$HELD_ADMIN/readyz"
timeout 180 java -cp "$BENCH_JAR" io.wakegate.benchmarks.load.HeldMemory --proxy "127.0.0.1:$HELD_PORT" \
  --admin "127.0.0.1:$HELD_ADMIN" --pid "$HELD_PID" --held "$HELD_UPLOAD" --upload 1048576 \
  --out "$RAW/held-upload.tsv" >&2
kill "$HELD_PID" 2>/dev/null || true

# ---- activation latency (interceptor + reporter + scaler in one JVM) ---------------------------
log "activation latency"
timeout 180 java -cp "$BENCH_JAR" io.wakegate.benchmarks.load.ActivationLatency --routes 600 --warmup 100 \
  --warm 20000 --out "$RAW/activation.tsv" >&2

printf 'loadavg_end\t%s\nseconds\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$(( $(date +%s) - START ))" >> "$RAW/env.tsv"

# ---- report ------------------------------------------------------------------------------
log "writing $OUT/results.md and $OUT/latency-throughput.png"
java -Djava.awt.headless=true -cp "$BENCH_JAR" io.wakegate.benchmarks.load.ResultsReport --raw "$RAW" --out "$OUT"
log "done in $(( $(date +%s) - START ))s"
