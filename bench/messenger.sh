#!/usr/bin/env bash
# Agent -> workers messaging with 2 workers: throughput of a burst of N small messages to every worker (with the
# peak resident memory of agent and master meanwhile), and one-way push latency (1,000 messages 1 ms apart), idle
# and under HTTP load. Loopback only; everything it starts is stopped. Prints the BENCH lines and a summary.
#
#   bench/messenger.sh            # N=100000, 4 warm-up bursts, then RUNS=5 measured; medians
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
WARMUP=${WARMUP:-4}
RUNS=${RUNS:-5}
work=$(mktemp -d /tmp/clutch-bench-msg.XXXXXX)
master=""
cleanup() {
  # The archive-recording daemon runs in a session of its own: Ctrl-C does not reach it.
  if [ -S "$work/run/control.sock" ] && [ -z "$master" ]; then
    "$work/app/bin/messenger" stop > /dev/null 2>&1 || true
  fi
  [ -n "$master" ] && kill -TERM "$master" 2>/dev/null || true
  sleep 1
  [ -n "$master" ] && pkill -KILL -P "$master" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "bench/messenger.sh needs wrk: apt-get install -y wrk" >&2; exit 2; }

[ -n "${SKIP_BUILD:-}" ] || mvn -B -q install -DskipTests
mvn -B -q -f sample-app dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null
classpath="$(cat "$work/cp")"
javac -d "$work/classes" -cp "$classpath" bench/src/dev/clutch/bench/MessengerBench.java
# Packaged as an application ships (a jar whose manifest names its libraries, the launcher beside it in bin/), so
# that the master runs as the README runs it: on the children's class-data archive, with their JIT thresholds.
mkdir -p "$work/app/lib" "$work/app/bin"
tr ':' '\n' < "$work/cp" | xargs -I{} cp {} "$work/app/lib/"
{
  printf 'Class-Path:'
  for lib in "$work"/app/lib/*.jar; do printf ' \n lib/%s' "${lib##*/}"; done
  printf '\n'
} > "$work/manifest"
jar --create --file "$work/app/messenger.jar" --manifest "$work/manifest" \
  --main-class dev.clutch.bench.MessengerBench -C "$work/classes" .
cp framework-core/src/main/launcher/launcher "$work/app/bin/messenger"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# BENCH_JAVA_OPTS: extra options of the master (to try the children's JVM options, say), as for LifecycleBench.
export CLUTCH_CDS_DIR="$work/cds"
export JAVA_OPTS="-Dclutch.baseDir=$work -Dclutch.http.host=127.0.0.1 -Dclutch.http.accessLog=false ${BENCH_JAVA_OPTS:-}"
# One start and stop first: it records the class-data archive a deployed application runs on.
"$work/app/bin/messenger" start --daemon --workers 2 --port 0 > "$work/first.log" 2>&1 || { cat "$work/first.log"; exit 1; }
"$work/app/bin/messenger" stop > /dev/null
"$work/app/bin/messenger" start --workers 2 --port "$port" > "$work/console.log" 2>&1 &
master=$!
for _ in $(seq 600); do grep -q "cluster ready" "$work/console.log" && break; sleep 0.1; done
agent=$(grep -o 'ms, agent [0-9]*' "$work/console.log" | head -1 | awk '{print $3}')

peak() { awk '/VmHWM/ {print int($2/1024)}' "/proc/$1/status"; }
bursts=0
burst() {
  curl -s "http://127.0.0.1:$port/run?n=$N" > /dev/null
  bursts=$((bursts + 1))
  for _ in $(seq 600); do [ "$(grep -c "BENCH worker-.* burst" "$work/console.log")" -ge $((2 * bursts)) ] && break; sleep 0.05; done
}
latency() {
  local label=$1 before
  before=$(grep -c "BENCH worker-.* latency" "$work/console.log" || true)
  curl -s "http://127.0.0.1:$port/run?n=1000&gapMicros=1000" > /dev/null
  for _ in $(seq 300); do [ "$(grep -c "BENCH worker-.* latency" "$work/console.log")" -ge $((before + 2)) ] && break; sleep 0.05; done
  grep "BENCH worker-.* latency" "$work/console.log" | tail -2 | sed "s/^.*BENCH/BENCH $label/"
}
# The JIT compiles the message path during the first bursts: those are warm-up, not measured.
for _ in $(seq "$WARMUP"); do burst; done
for _ in $(seq "$RUNS"); do burst; done
grep -o "BENCH worker-.* burst.*" "$work/console.log" | tail -n $((2 * RUNS)) > "$work/measured"
cat "$work/measured"
latency idle > "$work/latency"
# Under HTTP load: wrk keeps both workers busy (16 connections) while the agent pushes.
wrk -t1 -c16 -d6s "http://127.0.0.1:$port/_clutch/health" > "$work/wrk.txt" 2>&1 &
wrk_pid=$!
sleep 1
latency "under HTTP load" >> "$work/latency"
wait "$wrk_pid" || true
cat "$work/latency"

# An even count: the mean of the two middle values.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for worker in worker-1 worker-2; do
  rate=$(grep "BENCH $worker burst" "$work/measured" | sed 's/.*= \([0-9]*\) msg\/s/\1/' | median)
  echo "BENCH summary $worker: median of $RUNS warm bursts of $N = $rate msg/s"
done
echo "BENCH summary HTTP during the loaded latency run: $(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt") req/s"
echo "peak resident memory: agent $(peak "$agent") MiB, master $(peak "$master") MiB"
