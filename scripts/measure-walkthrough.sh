#!/usr/bin/env bash
# The machine's part of README's ten-minute walkthrough, from a fresh clone to the first merge:
# clone, npm install, npm start (first start), import examples/customers.csv beside the server,
# search "Li Lei", merge the two found. Prints the time since the clone at each step.
#   scripts/measure-walkthrough.sh [REPOSITORY] [DIRECTORY] [PORT]
set -u
REPO=${1:-$(git rev-parse --show-toplevel)}
X=${2:-$(mktemp -d)/customer-graph}
PORT=${3:-4719}
T0=$(date +%s.%N)
lap() { printf '%7.1f s  %s (load %s)\n' "$(echo "$(date +%s.%N) - $T0" | bc)" "$1" "$(cut -d' ' -f1 /proc/loadavg)"; }
git clone -q "$REPO" "$X" && lap "git clone"
cd "$X" || exit 1
npm install --no-audit --no-fund > "$X.install.log" 2>&1 && lap "npm install"
[ -z "$(git status --porcelain)" ] || echo "npm install changed the clone: $(git status --porcelain | head -3)"
PORT=$PORT setsid npm start > "$X.start.log" 2>&1 &
PID=$!
until grep -q 'serving on' "$X.start.log"; do
  sleep 0.2
  kill -0 $PID 2>/dev/null || { cat "$X.start.log"; exit 1; }
done
lap "npm start: serving"
TOKEN=$(grep -o 'token:  [^ ]*' "$X.start.log" | awk '{print $2}')
npx customer-graph import examples/customers.csv > "$X.import.log" 2>&1
lap "import examples/customers.csv: $(grep -o 'Job #[0-9]*: [A-Z]*' "$X.import.log" | tail -1)"
gql() { curl -s "localhost:$PORT/graphql" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d "$1"; }
FOUND=$(gql '{"query":"{ customers(filter: { search: \"Li Lei\" }, first: 10) { edges { node { customerId name } } } }"}')
lap "find Li Lei: $FOUND"
IDS=($(echo "$FOUND" | grep -o '"customerId":[0-9]*' | cut -d: -f2))
MERGE="mutation { mergeCustomers(targetId: \\\"${IDS[0]}\\\", sourceIds: [\\\"${IDS[1]}\\\"], reason: \\\"walkthrough\\\") { customerId mergedCustomerIds } }"
lap "first merge: $(gql "{\"query\":\"$MERGE\"}")"
kill -INT -- -$PID
wait $PID 2>/dev/null
