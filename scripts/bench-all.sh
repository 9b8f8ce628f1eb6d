#!/usr/bin/env bash
# `npm run bench`: every benchmark in turn, its output gathered into one report with the machine it ran on
# (var/bench-report.md). The figures that docs/PERFORMANCE.md quotes come from these commands.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
report=var/bench-report.md
{
  echo "# Benchmark report"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), Node.js $(node --version)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} > "$report"
status=0
for b in bench:intake bench:kb bench:email bench:email:stored bench:chat bench:analytics; do
  echo "== $b" | tee -a "$report"
  { echo '```'; npm run --silent "$b" 2>&1; echo '```'; echo; } | tee -a "$report" || status=1
done
echo "report: $report"
exit $status
