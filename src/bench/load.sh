#!/usr/bin/env bash
# Load benchmark: prints figures, asserts nothing.
# Serves the medium demo tenant (no latency, throttling off so both sides fetch the same pages at
# full speed, and the job's pacing off with it: src/bench/throttled.sh measures a paced load),
# fetches every page the job would fetch and discards them (bench-crawl, twice: the second, warm
# run is the baseline), then runs directory-load against it, and prints the wall and CPU ratios
# (process CPU: steady on a shared machine, where wall time moves with the load) and the job's
# peak RSS.
# Usage: src/bench/load.sh [scale [launch parameters…]]   (after ./mvnw -q -DskipTests package)
# e.g. src/bench/load.sh medium raw_json=none: the launch parameters go to the job's run.
# JOB_JAVA_OPTS: JVM options for the job (e.g. -Xmx400m); the job's peak RSS is printed.
# CRAWL=0 skips the fetch-and-discard baseline (for the RSS alone).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=$PWD/target/entra-warehouse.jar
[ -f "$JAR" ] || ./mvnw -q -DskipTests package
SCALE=${1:-medium}
shift || true
PORT=${PORT:-19543}
WORK=$(mktemp -d)
PEM=$WORK/simulator.pem
export AZURE_CLIENT_SECRET=entra-warehouse-demo-secret

java -jar "$JAR" simulator --scale "$SCALE" --no-throttling --port "$PORT" --cert-out "$PEM" > "$WORK/simulator.log" 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null; rm -rf "$WORK"' EXIT
until grep -q "tenant id" "$WORK/simulator.log" 2>/dev/null; do sleep 0.05; done
TENANT=$(awk '/tenant id/ {print $3}' "$WORK/simulator.log")
CLIENT=$(awk '/client id/ {print $3}' "$WORK/simulator.log")
head -1 "$WORK/simulator.log"

# sample PID FILE: samples the process's CPU (user + system, from /proc, every 0.2 s) and peak
# resident set (VmHWM) until it exits, then writes "cpu_seconds rss_kb" to FILE. The last sample
# is at most 0.2 s before the exit, so CPU is low by at most that much.
TICKS=$(getconf CLK_TCK)
sample() {
  local pid=$1 out=$2 cpu=0 rss=0 stat hwm
  while kill -0 "$pid" 2>/dev/null; do
    stat=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true)
    [ -n "$stat" ] && cpu=$stat
    hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [ -n "$hwm" ] && rss=$hwm
    sleep 0.2
  done
  wait "$pid" || true
  echo "$(awk -v t="$cpu" -v k="$TICKS" 'BEGIN {printf "%.1f", t / k}') $rss" > "$out"
}

CRAWL_CMD=(java -jar "$JAR" bench-crawl --token-url "https://127.0.0.1:$PORT/$TENANT/oauth2/v2.0/token"
  --graph-url "https://127.0.0.1:$PORT/v1.0" --client-id "$CLIENT" --trust "$PEM")
crawl() {
  "${CRAWL_CMD[@]}" "$@"
}
if [ "${CRAWL:-1}" = 1 ]; then
  echo "== fetch and discard with a plain java.net.http client (warm-up run, then measured)"
  crawl > /dev/null
  crawl | tee "$WORK/crawl-plain.txt"
  echo "== fetch and discard with the job's own readers and Graph client: the baseline"
  (exec "${CRAWL_CMD[@]}" --with-job-readers) > "$WORK/crawl.txt" 2>&1 & # its own process: sampled
  sample $! "$WORK/crawl.cpu"
  cat "$WORK/crawl.txt"
else
  echo "total 0 0 0" > "$WORK/crawl.txt"
  echo "0 0" > "$WORK/crawl.cpu"
fi

echo "== directory-load"
(cd "$WORK" && AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT AZURE_AUTHORITY_HOST=https://127.0.0.1:$PORT \
  exec java ${JOB_JAVA_OPTS:-} -Dentra.graph.pacing=false -Dentra.tenant.graph-url="https://127.0.0.1:$PORT/v1.0" \
  -Dentra.graph.trust-certificate="$PEM" -jar "$JAR" run "$@") > "$WORK/load.txt" 2>&1 &
sample $! "$WORK/load.cpu"
read -r JOB_CPU RSS_KB < "$WORK/load.cpu"
read -r BASE_CPU _ < "$WORK/crawl.cpu"
cat "$WORK/load.txt"
echo "== lake bytes per table (data files of the current and retained snapshots)"
for t in "$WORK"/warehouse/lake/entra/*/; do
  printf '%-20s %12d\n' "$(basename "$t")" "$(du -sb "$t/data" | cut -f1)"
done

base=$(awk '/^total/ {print $3}' "$WORK/crawl.txt")
job=$(sed -n 's/.*COMPLETED in \([0-9.]*\) s.*/\1/p' "$WORK/load.txt")
echo "== wall: job ${job} s / fetch-and-discard ${base} s = $(awk -v j="$job" -v b="$base" 'BEGIN {printf "%.2f", (b > 0 ? j / b : 0)}')x"
echo "== CPU:  job ${JOB_CPU} s / fetch-and-discard ${BASE_CPU} s = $(awk -v j="$JOB_CPU" -v b="$BASE_CPU" 'BEGIN {printf "%.2f", (b > 0 ? j / b : 0)}')x (goal: at most 2x for every table, 1.5x for the six core tables with raw_json=none)"
echo "== job peak RSS $((RSS_KB / 1024)) MB (bound 512 MB at medium; JOB_JAVA_OPTS=${JOB_JAVA_OPTS:-none})"
