#!/usr/bin/env bash
# Every figure users compare Clutch on, in one command. Builds what it needs, then on loopback, with bounded
# durations and nothing left running:
#   - LifecycleBench: cold start, resident memory after warm-up, rolling reload under load, failover after a
#     kill -9, graceful stop (a fresh 2-worker cluster of the sample app per run; medians of RUNS runs);
#   - bench/http.sh: req/s and latency per scheduling policy beside a single JVM;
#   - bench/messenger.sh: agent -> workers broadcast throughput and push latency.
# Prints the tables and writes the generated section of docs/benchmarks.md and docs/bench-http.png,
# docs/bench-boot.png.
#
#   bench/run.sh                 # RUNS=5
#   RUNS=3 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Exported: http.sh and messenger.sh take as many rounds, so the command recorded below is what ran.
export RUNS=${RUNS:-5}
work=$(mktemp -d /tmp/clutch-bench-all.XXXXXX)
trap 'rm -rf "$work"' EXIT
command -v wrk >/dev/null || { echo "bench/run.sh needs wrk: apt-get install -y wrk" >&2; exit 2; }

mvn -B -q install -DskipTests
export SKIP_BUILD=1
javac -d "$work/classes" bench/src/dev/clutch/bench/LifecycleBench.java bench/src/dev/clutch/bench/Report.java

java -cp "$work/classes" dev.clutch.bench.LifecycleBench sample-app/target/bin/flags "$RUNS" "$work"
bench/http.sh | tee "$work/http.txt"
bench/messenger.sh | tee "$work/messenger.txt"

cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
memory=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
jdk=$(java -version 2>&1 | head -1)
header="**Machine**: $(nproc) vCPU ($cpu), $memory, $(uname -sm). **JDK**: $jdk. **Command**: \`RUNS=$RUNS bench/run.sh\` ($(date -u +%Y-%m-%d))."
java -Djava.awt.headless=true -cp "$work/classes" dev.clutch.bench.Report "$work" docs "$header"
