#!/usr/bin/env bash
# `npm run bench`: every benchmark in turn, on PGlite and on PostgreSQL, each beside its «raw» limit measured in the
# same run (see docs/PERFORMANCE.md), gathered into one report with the machine it ran on (var/bench-report.md).
# PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); every benchmark works in a scratch
# schema of its own and drops it. Sizes are chosen so that the whole run takes about ten minutes on two cores; each
# benchmark is stopped after BENCH_TIMEOUT seconds (default 480). Set BENCH_ENGINES=pglite to leave PostgreSQL out.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
report="${BENCH_REPORT:-var/bench-report.md}"
export BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
timeout_s="${BENCH_TIMEOUT:-480}"
engines="${BENCH_ENGINES:-both}"

# The sizes (printed in the report; each may be set from the environment, e.g. INTAKE_N=300 for a quick check).
INTAKE_N=${INTAKE_N:-3000} INTAKE_C=${INTAKE_C:-32}
EMAIL_COUNT=${EMAIL_COUNT:-2000} EMAIL_CONNECTIONS=${EMAIL_CONNECTIONS:-4} EMAIL_ROUNDS=${EMAIL_ROUNDS:-3}
STORED_N=${STORED_N:-1000} STORED_CONNECTIONS=${STORED_CONNECTIONS:-4}
CHAT_CLIENTS=${CHAT_CLIENTS:-1000} CHAT_RATE=${CHAT_RATE:-200} CHAT_SECONDS=${CHAT_SECONDS:-15}
ANALYTICS_REQUESTS=${ANALYTICS_REQUESTS:-20000} ANALYTICS_RUNS=${ANALYTICS_RUNS:-10}
KB_HTTP_ROUNDS=${KB_HTTP_ROUNDS:-5} KB_C=${KB_C:-8}
TELEGRAM_N=${TELEGRAM_N:-300}

pg_version=$(node -e '
  const pg = require("pg");
  const c = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL });
  c.connect().then(() => c.query("show server_version")).then((r) => { console.log(r.rows[0].server_version); return c.end(); })
    .catch(() => { console.log("unreachable"); process.exit(0); });' 2>/dev/null)
if [ "$engines" = both ] && [ "$pg_version" = unreachable ]; then
  echo "PostgreSQL at ${BENCH_DATABASE_URL##*@} is unreachable: PGlite only" >&2
  engines=pglite
fi
chat_engines=$([ "$engines" = both ] && echo "pglite postgres" || echo "$engines")

started=$(date +%s)
{
  echo "# Benchmark report"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), Node.js $(node --version)"
  echo "- engines: $engines; PGlite $(node -p 'JSON.parse(require("fs").readFileSync("node_modules/@electric-sql/pglite/package.json", "utf8")).version'), PostgreSQL server $pg_version (scratch schemas, dropped after each benchmark)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- sizes: intake n=$INTAKE_N c=$INTAKE_C; e-mail (in memory) $EMAIL_COUNT letters × $EMAIL_ROUNDS rounds over $EMAIL_CONNECTIONS connections;" \
    "e-mail stored $STORED_N letters over $STORED_CONNECTIONS connections; chat $CHAT_CLIENTS clients, $CHAT_RATE messages/s for $CHAT_SECONDS s;" \
    "Telegram intake $TELEGRAM_N chats × 2 messages; statistics $ANALYTICS_REQUESTS generated requests, $ANALYTICS_RUNS runs per board; search every evaluation query, $KB_HTTP_ROUNDS rounds over HTTP with $KB_C connections"
  echo "- «raw»: the same SQL statements straight through the driver (pg Pool, or the PGlite instance), no HTTP and no service code;" \
    "«Otklik reaches N% of raw» is Otklik's throughput over raw (for a latency: raw time over Otklik's). What raw is for each benchmark: docs/PERFORMANCE.md."
  echo "- the servers run with the development keys (the encryption costs the same with any key); their warning is left out of this report."
  echo "- statistics on a million requests is measured apart (generating it takes too long for this run): docs/PERFORMANCE.md, «Statistics»."
  echo
} > "$report"

# The share of the processors idle over the next second, in per cent (from /proc/stat).
idle_share() {
  local a b
  read -r -a a < <(grep '^cpu ' /proc/stat)
  sleep 1
  read -r -a b < <(grep '^cpu ' /proc/stat)
  local total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  echo $(((b[4] + b[5] - a[4] - a[5]) * 100 / (total > 0 ? total : 1)))
}

# Each benchmark starts on a quiet machine: what the one before left running (PostgreSQL's autovacuum and checkpoint
# after tens of thousands of rows, a server's last jobs) is waited out, up to SETTLE_SECONDS (default 30).
settle() {
  local waited=0 idle
  idle=$(idle_share)
  while [ "$idle" -lt 90 ] && [ "$waited" -lt "${SETTLE_SECONDS:-30}" ]; do
    idle=$(idle_share)
    waited=$((waited + 1))
  done
  echo "processors idle ${idle}% after waiting ${waited} s"
}

status=0
run() {
  local title="$1"
  shift
  echo "== $title: $*" | tee -a "$report"
  {
    settle
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo '```'
    local t0=$SECONDS
    # The servers run with the development keys (encryption costs the same with any key): their warning is left out.
    timeout --kill-after=10 "$timeout_s" "$@" 2>&1 | grep -v '^!!! '
    local rc=${PIPESTATUS[0]}
    [ $rc -eq 0 ] || echo "exit code $rc$([ $rc -eq 124 ] && echo " (stopped after ${timeout_s} s)")"
    echo '```'
    echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $((SECONDS - t0)) s"
    echo
    return $rc
  } | tee -a "$report"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
}

run "intake" node --import tsx bench/intake.ts --n "$INTAKE_N" --c "$INTAKE_C" --engine "$engines"
run "search" node --import tsx bench/kb.ts --http-rounds "$KB_HTTP_ROUNDS" --c "$KB_C"
run "e-mail, SMTP and parsing (no database)" node --import tsx bench/email.ts --count "$EMAIL_COUNT" --connections "$EMAIL_CONNECTIONS" --rounds "$EMAIL_ROUNDS"
run "e-mail, stored intake" node --import tsx bench/email-stored.ts --n "$STORED_N" --connections "$STORED_CONNECTIONS" --engine "$engines"
for e in $chat_engines; do
  run "chat ($e)" node --import tsx bench/chat.ts --engine "$e" --clients "$CHAT_CLIENTS" --rate "$CHAT_RATE" --seconds "$CHAT_SECONDS"
done
for e in $chat_engines; do
  run "telegram intake ($e)" node --import tsx bench/telegram.ts --engine "$e" --n "$TELEGRAM_N"
done
run "statistics" node --import tsx bench/analytics.ts --generate "$ANALYTICS_REQUESTS" --runs "$ANALYTICS_RUNS" --engine "$engines"

{
  echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- whole run: $(($(date +%s) - started)) s"
} | tee -a "$report"
echo "report: $report"
exit $status
