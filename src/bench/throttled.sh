#!/usr/bin/env bash
# Throttled-load benchmark: prints figures beside their bounds, asserts nothing.
# Serves the demo tenant with Graph's throttling on (its 10-second windows shrunk by TIME_SCALE,
# so a medium load takes a minute, not ten), a latency per page and per item, and runs a full
# directory-load paced to the same windows. Then it prints, from the simulator's own counters:
#   - the load's wall time against the lower bound the throttle model and the latency allow:
#     per flow (directory, reports; they run side by side), the longer of the time the budget
#     needs for the requests served and the time their latency needs; the load's bound is the
#     longer flow. Goal: at most 1.02x at Graph's real windows (TIME_SCALE=1), 1.15x at shrunk
#     ones (a shrunk window leaves less room for the start, the end and one answer per window).
#   - the 429s served.
# Usage: src/bench/throttled.sh [scale]   (after ./mvnw -q -DskipTests package)
# Environment: TIME_SCALE (0.1), LATENCY_MS (100), LATENCY_PER_ITEM_US (20), PORT (19544),
# JOB_OPTS (more -D settings for the job, e.g. -Dentra.graph.pacing=false to compare).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=$PWD/target/entra-warehouse.jar
[ -f "$JAR" ] || ./mvnw -q -DskipTests package
SCALE=${1:-medium}
TIME_SCALE=${TIME_SCALE:-0.1}
LATENCY_MS=${LATENCY_MS:-100}
LATENCY_PER_ITEM_US=${LATENCY_PER_ITEM_US:-20}
PORT=${PORT:-19544}
CONCURRENCY=8
WORK=$(mktemp -d)
PEM=$WORK/simulator.pem
export AZURE_CLIENT_SECRET=entra-warehouse-demo-secret

java -jar "$JAR" simulator --scale "$SCALE" --time-scale "$TIME_SCALE" \
  --latency-ms "$LATENCY_MS" --latency-per-item-us "$LATENCY_PER_ITEM_US" \
  --no-retry-after-ratio 0 --port "$PORT" --cert-out "$PEM" > "$WORK/simulator.log" 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null; rm -rf "$WORK"' EXIT
until grep -q "tenant id" "$WORK/simulator.log" 2>/dev/null; do sleep 0.05; done
TENANT=$(awk '/tenant id/ {print $3}' "$WORK/simulator.log")
CLIENT=$(awk '/client id/ {print $3}' "$WORK/simulator.log")
head -1 "$WORK/simulator.log"
WINDOW_MS=$(python3 -c "print(round(10000 * $TIME_SCALE))")

echo "== directory-load, paced to ${WINDOW_MS} ms windows"
(cd "$WORK" && AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT AZURE_AUTHORITY_HOST=https://127.0.0.1:$PORT \
  java -Dentra.tenant.graph-url="https://127.0.0.1:$PORT/v1.0" -Dentra.graph.trust-certificate="$PEM" \
  -Dentra.graph.budget-window="${WINDOW_MS}ms" -Dentra.graph.concurrency=$CONCURRENCY ${JOB_OPTS:-} \
  -jar "$JAR" run) | tee "$WORK/load.txt"
curl -sk "https://127.0.0.1:$PORT/_simulator/stats" > "$WORK/stats.json"

python3 - "$WORK/stats.json" "$WORK/load.txt" "$SCALE" "$WINDOW_MS" "$LATENCY_MS" \
  "$LATENCY_PER_ITEM_US" "$CONCURRENCY" <<'EOF'
import json, math, re, sys
stats = json.load(open(sys.argv[1]))
load = open(sys.argv[2]).read()
scale, window, latency, per_item, concurrency = sys.argv[3], float(sys.argv[4]) / 1000, \
    float(sys.argv[5]) / 1000, float(sys.argv[6]) / 1e6, int(sys.argv[7])
took = float(re.search(r"COMPLETED in ([0-9.]+) s", load).group(1))
rows = {m.group(1): int(m.group(2)) for m in re.finditer(r"^  (\w+) +(\d+) +\d+ +\d+$", load, re.M)}
requests, throttled = stats["requests"], stats["throttled"]
reports = ("signIns", "directoryAudits", "userRegistrationDetails")
served = lambda names: sum(requests.get(n, 0) - throttled.get(n, 0) for n in names)
directory_names = [n for n in requests if n not in reports and n != "token"]
# Budgets: Graph's documented tiers by tenant size, 5 report requests a window.
users = rows.get("users", 0)
units = 3500 if users < 50 else 5000 if users <= 500 else 8000
ru = stats["resourceUnits"]
report_requests = served(reports)
per_parent = served(["members", "appRoleAssignedTo"])
sequential = served(directory_names) - per_parent
report_items = sum(rows.get(t, 0) for t in ("sign_ins", "directory_audits", "auth_method_registrations"))
directory_items = sum(v for k, v in rows.items() if k not in
                      ("sign_ins", "directory_audits", "auth_method_registrations", "group_members_transitive"))
# The bucket starts full; each window refills it. Reports: 5 at once, then 5 a window.
directory_budget = max(0.0, (ru - units) / units * window)
directory_latency = (sequential + per_parent / concurrency) * latency + directory_items * per_item
reports_budget = max(0, math.ceil(report_requests / 5) - 1) * window
reports_latency = report_requests * latency + report_items * per_item
directory = max(directory_budget, directory_latency)
reports_flow = max(reports_budget, reports_latency)
bound = max(directory, reports_flow)
print(f"== {scale}: throttled load, time scale {window / 10:g} (windows of {window:g} s)")
print(f"directory flow bound   {directory:8.1f} s  (budget {directory_budget:.1f} s for {ru} RU at {units}/window; latency {directory_latency:.1f} s)")
print(f"reports flow bound     {reports_flow:8.1f} s  (budget {reports_budget:.1f} s for {report_requests} requests at 5/window; latency {reports_latency:.1f} s)")
goal = "at most 1.02x at Graph's real windows (TIME_SCALE=1)" if window >= 10 else "at most 1.15x"
print(f"full load              {took:8.1f} s  bound {bound:.1f} s  ratio {took / bound:.3f}x  (goal: {goal})")
total_429 = sum(throttled.values())
print(f"429s served            {total_429:8d}    {json.dumps(throttled)} ({stats['throttledWithoutRetryAfter']} without Retry-After)")
EOF
