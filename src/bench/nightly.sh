#!/usr/bin/env bash
# Nightly-load benchmark: prints figures beside their bounds, asserts nothing.
# Serves the demo tenant with Graph's throttling on (windows shrunk by TIME_SCALE) and a latency
# per page, runs a full load (day 0, no deltaLink in the lake yet), moves the tenant one day on
# (about CHANGE_RATE of its users, groups, memberships and devices created, changed or deleted:
# POST /_simulator/day?advance=1), and runs the next night's load, which reads the directory by
# delta and each log from its mark. Prints, from the simulator's own counters, each run's Graph
# requests (tokens left out), the nightly's share of the full load's (target: at most 5%), wall
# times, 429s served, and each run's peak RSS.
# The simulator's logs do not grow with its days: the nightly reads only the overlap of its logs
# (two hours), where a real night also reads that day's new events; the line "with a day of new
# log events" adds the pages a seventh of the logs would take.
# Usage: src/bench/nightly.sh [scale]   (after ./mvnw -q -DskipTests package)
# Environment: ENTITIES (users,groups,group_members,devices,directory_audits,sign_ins; or all),
# CHANGE_RATE (0.01), TIME_SCALE (0.1), LATENCY_MS (100), PORT (19545), JOB_JAVA_OPTS, KEEP (a
# folder to keep the runs' output in).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=$PWD/target/entra-warehouse.jar
[ -f "$JAR" ] || ./mvnw -q -DskipTests package
SCALE=${1:-medium}
ENTITIES=${ENTITIES:-users,groups,group_members,devices,directory_audits,sign_ins}
CHANGE_RATE=${CHANGE_RATE:-0.01}
TIME_SCALE=${TIME_SCALE:-0.1}
LATENCY_MS=${LATENCY_MS:-100}
PORT=${PORT:-19545}
WORK=$(mktemp -d)
PEM=$WORK/simulator.pem
export AZURE_CLIENT_SECRET=entra-warehouse-demo-secret

java -jar "$JAR" simulator --scale "$SCALE" --time-scale "$TIME_SCALE" --latency-ms "$LATENCY_MS" \
  --change-rate "$CHANGE_RATE" --port "$PORT" --cert-out "$PEM" > "$WORK/simulator.log" 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null; [ -n "${KEEP:-}" ] && cp "$WORK"/*.txt "$KEEP"/; rm -rf "$WORK"' EXIT
until grep -q "tenant id" "$WORK/simulator.log" 2>/dev/null; do sleep 0.05; done
TENANT=$(awk '/tenant id/ {print $3}' "$WORK/simulator.log")
CLIENT=$(awk '/client id/ {print $3}' "$WORK/simulator.log")
head -1 "$WORK/simulator.log"
WINDOW_MS=$(python3 -c "print(round(10000 * $TIME_SCALE))")

# run <name> <run.date>: one load, its output in $WORK/<name>.txt, its peak RSS in <name>.rss
run() {
  curl -sk "https://127.0.0.1:$PORT/_simulator/stats" > "$WORK/$1.before.json"
  (cd "$WORK" && AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT \
    AZURE_AUTHORITY_HOST=https://127.0.0.1:$PORT exec java ${JOB_JAVA_OPTS:-} \
    -Dentra.tenant.graph-url="https://127.0.0.1:$PORT/v1.0" -Dentra.graph.trust-certificate="$PEM" \
    -Dentra.graph.budget-window="${WINDOW_MS}ms" -jar "$JAR" run "entities=$ENTITIES" \
    "run.date=$2") > "$WORK/$1.txt" 2>&1 &
  local job=$! rss=0 hwm
  while kill -0 $job 2>/dev/null; do
    hwm=$(awk '/^VmHWM/ {print $2}' /proc/$job/status 2>/dev/null || true)
    [ -n "$hwm" ] && rss=$hwm
    sleep 0.2
  done
  wait $job || true
  echo "$rss" > "$WORK/$1.rss"
  curl -sk "https://127.0.0.1:$PORT/_simulator/stats" > "$WORK/$1.after.json"
  grep -E "COMPLETED|FAILED|PARTIAL" "$WORK/$1.txt" | head -1
}

# The simulator's logs reach 7 days back from midnight today (UTC): the full load's window (the 7
# days before its run date) holds them all; the nightly's starts at the mark less two hours.
TODAY=$(date -u +%F)
TOMORROW=$(date -u -d tomorrow +%F)
echo "== full load (day 0): $ENTITIES"
run full "$TODAY"
curl -sk -X POST "https://127.0.0.1:$PORT/_simulator/day?advance=1" > /dev/null
echo "== nightly load (day 1, after ${CHANGE_RATE} of the tenant changed)"
run nightly "$TOMORROW"

python3 - "$WORK" "$SCALE" <<'PY'
import json, re, sys
work, scale = sys.argv[1], sys.argv[2]
def figures(name):
    before = json.load(open(f"{work}/{name}.before.json"))
    after = json.load(open(f"{work}/{name}.after.json"))
    diff = lambda key: {k: after[key].get(k, 0) - before[key].get(k, 0) for k in after[key]}
    requests = {k: v for k, v in diff("requests").items() if v and k != "token"}
    throttled = sum(diff("throttled").values())
    out = open(f"{work}/{name}.txt").read()
    done = re.search(r"directory-load \w+ in ([0-9.]+) s", out)
    took = float(done.group(1)) if done else float("nan")
    rss = int(open(f"{work}/{name}.rss").read()) // 1024
    return requests, throttled, took, rss
full, full_429, full_s, full_rss = figures("full")
night, night_429, night_s, night_rss = figures("nightly")
total_full, total_night = sum(full.values()), sum(night.values())
logs = ("signIns", "directoryAudits")
day_of_logs = sum(round(full.get(k, 0) / 7) for k in logs)
print(f"== {scale}: requests by endpoint (full / nightly)")
for k in sorted(set(full) | set(night)):
    print(f"  {k:28s} {full.get(k, 0):7d} {night.get(k, 0):7d}")
print(f"full load     {total_full:7d} requests  {full_s:7.1f} s  {full_429:4d} 429s  peak RSS {full_rss} MB")
print(f"nightly load  {total_night:7d} requests  {night_s:7.1f} s  {night_429:4d} 429s  peak RSS {night_rss} MB")
print(f"nightly / full          {100 * total_night / total_full:5.2f}%  (target <= 5%)")
print(f"with a day of new log events (+{day_of_logs} pages)  {100 * (total_night + day_of_logs) / total_full:5.2f}%  (target <= 5%)")
PY
