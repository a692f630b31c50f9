#!/usr/bin/env bash
# Load benchmark: prints figures beside their goals, asserts nothing.
# Serves the demo tenant (no latency, throttling off so both sides fetch the same pages at full
# speed, and the job's pacing off with it: src/bench/throttled.sh measures a paced load). Then,
# ROUNDS times, alternating on one machine:
#   - the baseline: every page the job would fetch, fetched through the job's own readers and Graph
#     client and discarded (bench-crawl --with-job-readers, its own process);
#   - a first load of the same tables into an empty warehouse, launched as the README shows it
#     (java -jar … run, no JVM option: the job sizes its own JVM, cli/BoundedJvm).
# Each round prints the job's wall time and process CPU (user + system, from /proc; CPU stays steady
# on a shared machine, where wall time moves with the load) divided by the baseline's; the last
# lines give each ratio's range beside its goal, and the job's peak RSS beside its bound.
# Usage: src/bench/load.sh [scale [launch parameters…]]   (after ./mvnw -q -DskipTests package)
#   src/bench/load.sh medium                      every table (goal: CPU at most 2x)
#   src/bench/load.sh medium "entities=$CORE" raw_json=none
#                                                 the six core tables (goal: CPU at most 1.5x), with
#   CORE=users,groups,devices,group_members,directory_audits,sign_ins
#   src/bench/load.sh large                       peak RSS at large (bound 512 MB)
# The launch parameters go to the job's run; an entities= among them narrows the crawl the same way.
# Environment: ROUNDS (2), JOB_JAVA_OPTS (JVM options for the job; a heap option such as -Xmx1g
# keeps it in a JVM so started), CRAWL=0 (no baseline: the job's figures alone), PEER=1 (also the
# peer each round: Microsoft's JS Graph client paging the job's requests to JSON lines, DuckDB's
# read_json_auto loading them, src/bench/peer, installed from npm; goal for the six core tables:
# the job's wall time below the peer's).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
JAR=$ROOT/target/entra-warehouse.jar
[ -f "$JAR" ] || ./mvnw -q -DskipTests package
SCALE=${1:-medium}
shift || true
ROUNDS=${ROUNDS:-2}
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

CRAWL_ENTITIES=()
for p in "$@"; do
  case $p in entities=all) ;; entities=*) CRAWL_ENTITIES=(--entities "${p#entities=}") ;; esac
done
crawl() {
  exec java -jar "$JAR" bench-crawl --token-url "https://127.0.0.1:$PORT/$TENANT/oauth2/v2.0/token" \
    --graph-url "https://127.0.0.1:$PORT/v1.0" --client-id "$CLIENT" --trust "$PEM" \
    --with-job-readers "${CRAWL_ENTITIES[@]}"
}
load() {
  mkdir -p "$1"
  cd "$1" && AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT AZURE_AUTHORITY_HOST=https://127.0.0.1:$PORT \
    exec java ${JOB_JAVA_OPTS:-} -Dentra.graph.pacing=false -Dentra.tenant.graph-url="https://127.0.0.1:$PORT/v1.0" \
    -Dentra.graph.trust-certificate="$PEM" -jar "$JAR" run "${@:2}"
}
peer() {
  cd "$WORK" && NODE_EXTRA_CA_CERTS=$PEM exec node "$ROOT/src/bench/peer/peer.mjs" \
    "https://127.0.0.1:$PORT/$TENANT/oauth2/v2.0/token" "https://127.0.0.1:$PORT/v1.0" "$CLIENT" \
    "$WORK/queries.tsv" "$1"
}
ratio() { awk -v j="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? j / b : 0)}'; }

if [ "${CRAWL:-1}" = 1 ]; then
  echo "== warm-up: fetch and discard once (the simulator's first pages are its slowest)"
  (crawl) > /dev/null 2>&1
fi
if [ "${PEER:-0}" = 1 ]; then
  (cd src/bench/peer && npm ci --no-audit --no-fund --loglevel=error)
  java -jar "$JAR" bench-crawl --print-queries --token-url x --graph-url x --client-id x \
    "${CRAWL_ENTITIES[@]}" > "$WORK/queries.tsv"
fi
WALLS=() CPUS=() PEERS=() RSS_MAX=0
for round in $(seq 1 "$ROUNDS"); do
  BASE_WALL=0 BASE_CPU=0
  if [ "${CRAWL:-1}" = 1 ]; then
    (crawl) > "$WORK/crawl-$round.txt" 2>&1 &
    sample $! "$WORK/crawl-$round.cpu"
    BASE_WALL=$(awk '/^total/ {print $3}' "$WORK/crawl-$round.txt")
    read -r BASE_CPU _ < "$WORK/crawl-$round.cpu"
  fi
  PEER_WALL=0
  if [ "${PEER:-0}" = 1 ]; then
    (peer "$WORK/peer-$round") > "$WORK/peer-$round.txt" 2>&1 &
    sample $! "$WORK/peer-$round.cpu"
    PEER_WALL=$(sed -n 's/^peer COMPLETED in \([0-9.]*\) s.*/\1/p' "$WORK/peer-$round.txt")
    [ -n "$PEER_WALL" ] || { cat "$WORK/peer-$round.txt"; echo "round $round: the peer failed"; exit 1; }
    rm -rf "$WORK/peer-$round"
  fi
  (load "$WORK/load-$round" "$@") > "$WORK/load-$round.txt" 2>&1 &
  sample $! "$WORK/load-$round.cpu"
  read -r JOB_CPU RSS_KB < "$WORK/load-$round.cpu"
  JOB_WALL=$(sed -n 's/.*COMPLETED in \([0-9.]*\) s.*/\1/p' "$WORK/load-$round.txt")
  if [ -z "$JOB_WALL" ]; then
    tail -20 "$WORK/load-$round.txt"
    echo "round $round: the load did not complete"
    exit 1
  fi
  [ "$round" = 1 ] && sed -n '/COMPLETED/,$p' "$WORK/load-$round.txt"
  WALLS+=("$(ratio "$JOB_WALL" "$BASE_WALL")") CPUS+=("$(ratio "$JOB_CPU" "$BASE_CPU")")
  RSS_MAX=$((RSS_KB > RSS_MAX ? RSS_KB : RSS_MAX))
  if [ "${PEER:-0}" = 1 ]; then
    read -r PEER_CPU _ < "$WORK/peer-$round.cpu"
    PEERS+=("$(ratio "$JOB_WALL" "$PEER_WALL")")
    echo "== round $round: the peer (JS Graph client + DuckDB) ${PEER_WALL} s wall, ${PEER_CPU} s CPU;" \
      "job / peer wall = ${PEERS[-1]}x"
  fi
  echo "== round $round: wall job ${JOB_WALL} s / fetch-and-discard ${BASE_WALL} s = ${WALLS[-1]}x;" \
    "CPU job ${JOB_CPU} s / fetch-and-discard ${BASE_CPU} s = ${CPUS[-1]}x; job peak RSS $((RSS_KB / 1024)) MB"
done

echo "== lake bytes per table (data files of the current and retained snapshots)"
for t in "$WORK"/load-1/warehouse/lake/entra/*/; do
  printf '%-28s %12d\n' "$(basename "$t")" "$(du -sb "$t/data" | cut -f1)"
done
range() { printf '%s\n' "$@" | sort -n | sed -n '1p;$p' | paste -sd- | sed 's/-/x to /;s/$/x/'; }
echo "== $SCALE, launch: run $*, JVM options: ${JOB_JAVA_OPTS:-none (the job sizes its own JVM)}"
if [ "${CRAWL:-1}" = 1 ]; then
  echo "   CPU ratio  $(range "${CPUS[@]}")   goal: at most 2x for every table, 1.5x for the six core tables with raw_json=none"
  echo "   wall ratio $(range "${WALLS[@]}")"
fi
if [ "${PEER:-0}" = 1 ]; then
  echo "   job / peer $(range "${PEERS[@]}") wall   goal: below 1.0x on the six core tables"
fi
echo "   peak RSS   $((RSS_MAX / 1024)) MB   bound: 512 MB at large, large / medium at most 1.2"
