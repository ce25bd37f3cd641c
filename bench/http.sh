#!/usr/bin/env bash
# HTTP throughput and latency of a 2-worker Clutch cluster under each scheduling policy, beside a single JVM with
# 2 event-loop threads serving the same response: keep-alive and a new connection per request. Loopback only,
# bounded durations, everything it starts is stopped. Prints a markdown table; each figure is the median of RUNS
# rounds, and every round measures every server.
#
#   bench/http.sh                 # defaults: 3 runs of 10 s each, 64 connections
#   RUNS=5 DURATION=20 bench/http.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-5}
work=$(mktemp -d /tmp/clutch-bench.XXXXXX)
# The archives of this run's clusters, not the user's own cache.
export CLUTCH_CDS_DIR="$work/cds"
pids=()
cleanup() {
  # The archive-recording daemon runs in a session of its own: Ctrl-C does not reach it.
  if [ -S "$work/first/run/control.sock" ]; then
    JAVA_OPTS="-Dclutch.baseDir=$work/first" sample-app/target/bin/flags stop > /dev/null 2>&1 || true
  fi
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do pkill -KILL -P "$pid" 2>/dev/null || true; kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "bench/http.sh needs wrk: apt-get install -y wrk" >&2; exit 2; }

[ -n "${SKIP_BUILD:-}" ] || mvn -B -q install -DskipTests
mvn -B -q -f sample-app dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null
classpath="$(cat "$work/cp"):$PWD/sample-app/target/classes"
mkdir -p "$work/bench-classes"
javac -d "$work/bench-classes" -cp "$classpath" bench/src/dev/clutch/bench/SingleJvmServer.java
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wrk_run <url> <extra wrk args...> -> "req/s p50ms p99ms"
wrk_run() {
  local url=$1; shift
  wrk -t1 -c"$CONNECTIONS" -d"$WARMUP"s "$@" "$url" >/dev/null
  local out
  out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION"s --latency "$@" "$url")
  # A figure of errors is no figure: said beside the table (on stderr), with wrk's own words.
  grep -E "Non-2xx|Socket errors" <<<"$out" | sed "s|^ *|bench/http.sh: $url $*: wrk saw |" >&2 || true
  awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps=$2 }
    $1=="50%" { p50=ms($2) }
    $1=="99%" { p99=ms($2) }
    END { printf "%d %.2f %.2f\n", rps, p50, p99 }' <<<"$out"
}

# An even count: the mean of the two middle values.
median() { sort -n | awk '{ a[NR]=$1 } END { print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2) }'; }

# A deployed application runs on the class-data archive its first clean stop recorded: one start and stop first.
first="$work/first"; mkdir -p "$first"
JAVA_OPTS="-Dclutch.baseDir=$first -Dclutch.http.host=127.0.0.1" sample-app/target/bin/flags start --daemon \
  --workers 2 --port "$(free_port)" > "$first/console.log" 2>&1 || { cat "$first/console.log"; exit 1; }
JAVA_OPTS="-Dclutch.baseDir=$first" sample-app/target/bin/flags stop > /dev/null

# Every server runs for the whole measurement, and each round takes them in another order: a drift of the machine
# during the run (heat, neighbours, the JIT of an idle process) reaches every server alike instead of whichever
# was measured first or last.
servers=(rr none reuseport single-jvm)
declare -A urls
for policy in rr none reuseport; do
  port=$(free_port)
  base="$work/$policy"; mkdir -p "$base"
  # Through the application's launcher, as the README runs it: the master on the children's class-data archive
  # and with their JIT thresholds (with the rr policy it accepts every connection).
  CLUTCH_SCHED_POLICY=$policy JAVA_OPTS="${CLUSTER_OPTS:-} -Dclutch.baseDir=$base -Dclutch.http.host=127.0.0.1" \
    sample-app/target/bin/flags start --workers 2 --port "$port" > "$base/console.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 600); do grep -q "cluster ready" "$base/console.log" && break; sleep 0.1; done
  grep -q "cluster ready" "$base/console.log" || { cat "$base/console.log"; exit 1; }
  urls[$policy]="http://127.0.0.1:$port/_clutch/health"
done
port=$(free_port)
java -cp "$classpath:$work/bench-classes" dev.clutch.bench.SingleJvmServer "$port" > "$work/single.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "ready" "$work/single.log" && break; sleep 0.1; done
urls[single-jvm]="http://127.0.0.1:$port/_clutch/health"

: > "$work/runs"
for run in $(seq "$RUNS"); do
  for i in "${!servers[@]}"; do
    label=${servers[$(( (i + run - 1) % ${#servers[@]} ))]}
    for mode in keepalive close; do
      extra=()
      [ "$mode" = close ] && extra=(-H "Connection: close")
      echo "$label $mode $(wrk_run "${urls[$label]}" "${extra[@]}")" >> "$work/runs"
    done
  done
done

: > "$work/results"
for label in "${servers[@]}"; do
  for mode in keepalive close; do
    grep "^$label $mode " "$work/runs" > "$work/one"
    printf "%s %s %s %s %s\n" "$label" "$mode" "$(cut -d' ' -f3 "$work/one" | median)" \
      "$(cut -d' ' -f4 "$work/one" | median)" "$(cut -d' ' -f5 "$work/one" | median)" >> "$work/results"
  done
done

echo "| server | connections | req/s | p50 ms | p99 ms | vs single JVM |"
echo "|---|---|---|---|---|---|"
awk '
  { label[NR]=$1; mode[NR]=$2; rps[NR]=$3; p50[NR]=$4; p99[NR]=$5; if ($1=="single-jvm") ceiling[$2]=$3 }
  END { for (i=1; i<=NR; i++) printf "| %s | %s | %d | %.2f | %.2f | %.2fx |\n", label[i],
        (mode[i]=="keepalive" ? "keep-alive" : "new per request"), rps[i], p50[i], p99[i], rps[i]/ceiling[mode[i]] }
' "$work/results"
