#!/usr/bin/env bash
# Simulator benchmark: prints figures, asserts nothing.
#  1. start-up: from `java -jar` to the first answered Graph request, small scale, 5 runs;
#  2. the large scale under -Xmx1g while every endpoint is paged through: heap peak and rates.
# Usage: src/bench/simulator.sh   (after ./mvnw -q -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=target/entra-warehouse.jar
[ -f "$JAR" ] || ./mvnw -q -DskipTests package
PORT=${PORT:-18643}
PEM=$(mktemp --suffix=.pem)
export AZURE_CLIENT_SECRET=entra-warehouse-demo-secret

wait_gone() { while kill -0 "$1" 2>/dev/null; do sleep 0.1; done; }

echo "== start-up to first answered request (scale small)"
for run in 1 2 3 4 5; do
  start=$(date +%s%N)
  java -jar "$JAR" simulator --scale small --port "$PORT" --cert-out "$PEM" > /tmp/sim-bench.log 2>&1 &
  pid=$!
  until grep -q "tenant id" /tmp/sim-bench.log 2>/dev/null; do sleep 0.01; done
  tenant=$(awk '/tenant id/ {print $3}' /tmp/sim-bench.log)
  client=$(awk '/client id/ {print $3}' /tmp/sim-bench.log)
  token=$(curl -s --cacert "$PEM" -d "grant_type=client_credentials&client_id=$client&client_secret=$AZURE_CLIENT_SECRET&scope=https://graph.microsoft.com/.default" \
    "https://127.0.0.1:$PORT/$tenant/oauth2/v2.0/token" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$PEM" -H "Authorization: Bearer $token" "https://127.0.0.1:$PORT/v1.0/users?\$top=1")
  end=$(date +%s%N)
  echo "run $run: first /users answered $code after $(( (end - start) / 1000000 )) ms"
  kill "$pid"; wait_gone "$pid"
done

echo "== scale large under -Xmx1g, every endpoint paged through (throttling off)"
java -Xmx1g -jar "$JAR" simulator --scale large --no-throttling --port "$PORT" --cert-out "$PEM" > /tmp/sim-bench.log 2>&1 &
pid=$!
until grep -q "tenant id" /tmp/sim-bench.log 2>/dev/null; do sleep 0.05; done
tenant=$(awk '/tenant id/ {print $3}' /tmp/sim-bench.log)
client=$(awk '/client id/ {print $3}' /tmp/sim-bench.log)
java -jar "$JAR" bench-crawl --token-url "https://127.0.0.1:$PORT/$tenant/oauth2/v2.0/token" \
  --graph-url "https://127.0.0.1:$PORT/v1.0" --client-id "$client" --trust "$PEM"
echo "simulator heap after the crawl:"
curl -s --cacert "$PEM" "https://127.0.0.1:$PORT/_simulator/stats" | sed 's/.*"heapUsedBytes"/"heapUsedBytes"/'
echo
kill "$pid"; wait_gone "$pid"
rm -f "$PEM"
