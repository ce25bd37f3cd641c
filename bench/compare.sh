#!/usr/bin/env bash
# Same-hour comparison of option sets on the sample application: LifecycleBench alternating between the variants,
# ROUNDS rounds of RUNS fresh clusters each, then every figure's median (and range) per variant, side by side.
# This machine's speed moves by a fifth or more between hours; a change is judged against the build without it in
# the same hour, alternating, and by the CPU time of the boot as well as its wall time.
#
# Each variant is label=options of the master's java command (as BENCH_JAVA_OPTS); the children's options go
# through the configuration, for example -Dclutch.worker.jvmArgs.0=... (which replaces the whole default list).
#
#   bench/compare.sh 'defaults=' 'G1 workers=-Dclutch.worker.jvmArgs.0=-XX:+UseG1GC'
#   ROUNDS=4 RUNS=2 bench/compare.sh ...
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-2}
work=$(mktemp -d /tmp/clutch-bench-compare.XXXXXX)
trap 'rm -rf "$work"' EXIT

[ -n "${SKIP_BUILD:-}" ] || mvn -B -q install -DskipTests
javac -d "$work/classes" bench/src/dev/clutch/bench/LifecycleBench.java

labels=()
for variant in "$@"; do labels+=("${variant%%=*}"); done
for round in $(seq "$ROUNDS"); do
  for i in "${!labels[@]}"; do
    # A rotating order: a drift of the machine during the comparison reaches every variant alike.
    index=$(( (i + round - 1) % $# ))
    variant=${*:$((index + 1)):1}
    out="$work/$index/$round"; mkdir -p "$out"
    echo "round $round/$ROUNDS: ${labels[$index]}" >&2
    BENCH_JAVA_OPTS="${variant#*=}" java -cp "$work/classes" dev.clutch.bench.LifecycleBench \
      sample-app/target/bin/flags "$RUNS" "$out" > "$out/console.txt" 2>&1 \
      || { cat "$out/console.txt" >&2; exit 1; }
  done
done

# figure <TAB> variant index <TAB> value, one line per run; the first start of each round's build is not pooled.
for i in "${!labels[@]}"; do
  cat "$work/$i"/*/lifecycle-runs.tsv | grep -v "first start of a build" \
    | awk -F'\t' -v v="$i" '{ for (f = 2; f <= NF; f++) print $1 "\t" v "\t" $f }'
done > "$work/values"

header="| figure |"; rule="|---|"
for label in "${labels[@]}"; do header="$header $label, median (range) |"; rule="$rule---|"; done
echo "$header"; echo "$rule"
awk -F'\t' -v n="${#labels[@]}" '
  !($1 in seen) { seen[$1] = 1; order[++figures] = $1 }
  { count[$1, $2]++; value[$1, $2, count[$1, $2]] = $3 }
  END {
    for (f = 1; f <= figures; f++) {
      name = order[f]; line = "| " name " |"
      for (v = 0; v < n; v++) {
        k = count[name, v]
        for (i = 1; i <= k; i++) sorted[i] = value[name, v, i]
        for (i = 2; i <= k; i++) for (j = i; j > 1 && sorted[j - 1] > sorted[j]; j--) {
          t = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = t
        }
        # An even count: the mean of the two middle values.
        mid = k % 2 ? sorted[(k + 1) / 2] : (sorted[k / 2] + sorted[k / 2 + 1]) / 2
        line = line sprintf(" %.1f (%.1f-%.1f) |", mid, sorted[1], sorted[k])
      }
      print line
    }
  }' "$work/values"
echo
echo "$ROUNDS alternating rounds of $RUNS runs per variant, $(nproc) vCPU, $(java -version 2>&1 | head -1), $(date -u '+%Y-%m-%d %H:%M') UTC."
