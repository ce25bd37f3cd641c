#!/usr/bin/env bash
# Agent -> workers messaging with 2 workers: throughput of a burst of N small messages to every worker (with the
# peak resident memory of agent and master meanwhile), and one-way push latency (1,000 messages 1 ms apart), idle.
# Loopback only; everything it starts is stopped. Prints the BENCH lines and a summary.
#
#   bench/messenger.sh            # N=100000, 3 bursts
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
RUNS=${RUNS:-3}
work=$(mktemp -d /tmp/clutch-bench-msg.XXXXXX)
master=""
cleanup() {
  [ -n "$master" ] && kill -TERM "$master" 2>/dev/null || true
  sleep 1
  [ -n "$master" ] && pkill -KILL -P "$master" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

[ -n "${SKIP_BUILD:-}" ] || mvn -B -q install -DskipTests
mvn -B -q -f sample-app dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null
classpath="$(cat "$work/cp")"
javac -d "$work/classes" -cp "$classpath" bench/src/dev/clutch/bench/MessengerBench.java
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
java -Dclutch.baseDir="$work" -Dclutch.http.host=127.0.0.1 -Dclutch.http.accessLog=false -cp "$classpath:$work/classes" \
  dev.clutch.bench.MessengerBench start --workers 2 --port "$port" > "$work/console.log" 2>&1 &
master=$!
for _ in $(seq 600); do grep -q "cluster ready" "$work/console.log" && break; sleep 0.1; done
agent=$(grep -o 'ms, agent [0-9]*' "$work/console.log" | head -1 | awk '{print $3}')

peak() { awk '/VmHWM/ {print int($2/1024)}' "/proc/$1/status"; }
for run in $(seq "$RUNS"); do
  curl -s "http://127.0.0.1:$port/run?n=$N" > /dev/null
  for _ in $(seq 300); do [ "$(grep -c "BENCH worker-.* burst" "$work/console.log")" -ge $((2 * run)) ] && break; sleep 0.1; done
done
curl -s "http://127.0.0.1:$port/run?n=1000&gapMicros=1000" > /dev/null
for _ in $(seq 300); do grep -q "BENCH worker-2 latency" "$work/console.log" && grep -q "BENCH worker-1 latency" "$work/console.log" && break; sleep 0.1; done

grep -o "BENCH .*" "$work/console.log"
echo "peak resident memory: agent $(peak "$agent") MiB, master $(peak "$master") MiB"
