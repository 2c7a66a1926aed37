#!/usr/bin/env bash
# Throughput of a parent's diary week (one statement per request) with the audit on and off,
# against the demo data of the local cluster (.data, started by scripts/run). Release build.
# Usage: Benchmarks/scripts/audit-overhead.sh [seconds=30] [connections=32]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-30}"
connections="${2:-32}"
scratch="${EDUQL_BENCH_SCRATCH:-.build-release}"
swift build -c release --product eduql --scratch-path "$scratch" >/dev/null
eduql="$scratch/release/eduql"
"$eduql" migrate >/dev/null
password=$(python3 -c "import json; print(next(a['password'] for a in json.load(open('.data/demo-accounts.json')) if a.get('login') == 'parent'))")
body=$(mktemp)
python3 - "$body" <<'PY'
import json, sys
query = open("queries/parent/diary-week.graphql").read()
json.dump({"query": query, "variables": {"learnerId": "609", "from": "2026-09-07", "to": "2026-09-13"}}, open(sys.argv[1], "w"))
PY

run() {
    local audit="$1" port="$2"
    EDUQL_AUDIT="$audit" EDUQL_AUDIT_VERIFY_SECONDS=86400 EDUQL_PORT="$port" LOG_LEVEL=error "$eduql" serve &
    local pid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
    local token
    token=$(curl -s "http://127.0.0.1:$port/auth/login" -H 'content-type: application/json' \
        -d "{\"login\": \"parent\", \"password\": \"$password\"}" | python3 -c "import json, sys; print(json.load(sys.stdin)['token'])")
    TOKEN="$token" BODY_FILE="$body" wrk -t2 -c"$connections" -d5s -s Benchmarks/scripts/graphql-post.lua "http://127.0.0.1:$port/graphql" >/dev/null
    echo "== audit $audit: ${seconds}s, $connections connections"
    TOKEN="$token" BODY_FILE="$body" wrk -t2 -c"$connections" -d"${seconds}s" --latency -s Benchmarks/scripts/graphql-post.lua "http://127.0.0.1:$port/graphql"
    kill -TERM "$pid"
    wait "$pid" || true
}

# Alternate the order (EDUQL_BENCH_ORDER="on off") to see that warm-up does not decide the result.
port=8181
for audit in ${EDUQL_BENCH_ORDER:-off on}; do
    run "$audit" "$port"
    port=$((port + 1))
done
rm -f "$body"
