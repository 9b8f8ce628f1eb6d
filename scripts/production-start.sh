#!/usr/bin/env bash
# The production sequence on a copy of the working tree: install, build, drop the development packages, start the
# built server with `npm start`, file a request, read it back and the pages, stop it with SIGTERM. Fails if any step
# needs a development package at run time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "-- copy of the working tree"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$work"
cd "$work"

echo "-- npm ci, npm run build, npm prune --omit=dev"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
npm run build --silent
npm prune --omit=dev --no-audit --no-fund --loglevel=error >/dev/null
for dev in tsx typescript vite vitest; do
  if [ -e "node_modules/$dev" ]; then echo "still installed after prune: $dev" >&2; exit 1; fi
done

# What `npm start` runs, without npm in between: npm answers SIGTERM with its own exit code 143 rather than the
# server's (a service manager or a container starts node directly for the same reason).
echo "-- npm start (node scripts/start.mjs)"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
OTKLIK_PORT=$port OTKLIK_SMTP_PORT=0 OTKLIK_DATA_DIR="$work/data" OTKLIK_LOG_LEVEL=warn \
  OTKLIK_ADMIN_PASSWORD=production-start-check-1 node scripts/start.mjs >"$work/server.log" 2>&1 &
pid=$!
url="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  curl -fsS "$url/api/v1/ready" >/dev/null 2>&1 && break
  if ! kill -0 "$pid" 2>/dev/null; then cat "$work/server.log" >&2; exit 1; fi
  sleep 1
done
curl -fsS "$url/api/v1/ready"
echo

echo "-- a request filed and read back; the pages"
answer=$(curl -fsS -H 'content-type: application/json' \
  -d '{"text":"Не приходит код подтверждения при входе в личный кабинет","contact":{"email":"anna@example.ru"}}' \
  "$url/api/v1/requests")
token=$(node -e 'console.log(JSON.parse(process.argv[1]).trackingUrl.split("/").pop())' "$answer")
curl -fsS "$url/api/v1/track/$token" | grep -q '"status"'
curl -fsS "$url/" | grep -qi '<!doctype html>'
curl -fsS "$url/api/v1/openapi.json" | grep -q '"/api/v1/ready"'
if grep -q "tsx" "$work/server.log"; then echo "the server mentioned tsx" >&2; exit 1; fi

echo "-- SIGTERM"
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
pid=""
if [ "$code" != 0 ]; then
  cat "$work/server.log" >&2
  echo "exit code $code after SIGTERM" >&2
  exit 1
fi
echo "production start: built, pruned, served and stopped cleanly"
