#!/usr/bin/env bash
# The incremental-load benchmarks in one run, each figure beside its bound (asserts nothing):
#   1. a throttled full load of medium against the bound the throttle model and latency allow
#      (src/bench/throttled.sh), with the 429s it drew;
#   2. a nightly load after 1% of the tenant changed, its requests against a full load's, its wall
#      time and 429s (src/bench/nightly.sh);
#   3. the job's peak RSS loading medium and large (src/bench/load.sh, JVM and DuckDB settings of
#      the README's "Memory" section: JOB_JAVA_OPTS, MALLOC_ARENA_MAX).
# Usage: src/bench/incremental.sh   (after ./mvnw -q -DskipTests package; about 10 minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-1}
MEMORY_OPTS=${JOB_JAVA_OPTS:-"-Xmx128m -XX:+UseSerialGC -Dentra.warehouse.duckdb-memory=64MB"}

echo "== 1. throttled full load (medium)"
src/bench/throttled.sh medium > "$OUT/throttled.txt" 2>&1 || true
grep -E "^(directory flow|reports flow|full load|429s)" "$OUT/throttled.txt"
echo "== 2. nightly load after 1% changes (medium)"
src/bench/nightly.sh medium > "$OUT/nightly.txt" 2>&1 || true
grep -E "^(full load|nightly load|nightly / full|with a day)" "$OUT/nightly.txt"
echo "== 3. peak RSS (JOB_JAVA_OPTS=$MEMORY_OPTS)"
for scale in medium large; do
  CRAWL=0 JOB_JAVA_OPTS="$MEMORY_OPTS" PORT=$((19560 + ${#scale})) src/bench/load.sh "$scale" \
    > "$OUT/$scale.txt" 2>&1 || true
  grep -E "directory-load (COMPLETED|FAILED)" "$OUT/$scale.txt" | sed "s/^/$scale: /"
done
python3 - "$OUT" <<'PY'
import re, sys
out = sys.argv[1]
rss = {}
for scale in ("medium", "large"):
    m = re.search(r"job peak RSS (\d+) MB", open(f"{out}/{scale}.txt").read())
    rss[scale] = int(m.group(1)) if m else float("nan")
print(f"peak RSS medium {rss['medium']:6} MB  (target <= 512 MB)")
print(f"peak RSS large  {rss['large']:6} MB  (target <= 512 MB and <= 1.2x medium = "
      f"{1.2 * rss['medium']:.0f} MB; {rss['large'] / rss['medium']:.2f}x)")
PY
