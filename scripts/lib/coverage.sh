#!/usr/bin/env bash
# Prints the one coverage summary line of scripts/test from the JaCoCo report that module coverage/
# writes (report-aggregate: every Java module's tests, cross-module and system tests included):
#   Coverage: 71.3% lines (12345/17310) across N modules (report: coverage/target/site/jacoco-aggregate/index.html)
# Usage: scripts/lib/coverage.sh [report-dir]   (default: coverage/target/site/jacoco-aggregate)
# Exits 1 with a "Coverage: not measured" line when there is no report (e.g. -Djacoco.skip=true).
set -euo pipefail
dir="${1:-coverage/target/site/jacoco-aggregate}"
csv="$dir/jacoco.csv"
if [ ! -s "$csv" ]; then
  echo "Coverage: not measured (no $csv)"
  exit 1
fi
# jacoco.csv columns: GROUP,PACKAGE,CLASS,INSTRUCTION_MISSED,INSTRUCTION_COVERED,BRANCH_MISSED,
# BRANCH_COVERED,LINE_MISSED,LINE_COVERED,...; report-aggregate names each module in GROUP
awk -F, -v report="$dir/index.html" '
  NR == 1 { next }
  {
    missed += $8; covered += $9
    if ($8 + $9 > 0) { modules[$1] = 1 }
  }
  END {
    total = missed + covered
    n = 0; for (m in modules) n++
    if (total == 0) { print "Coverage: not measured (no lines in the report)"; exit 1 }
    printf "Coverage: %.1f%% lines (%d/%d) across %d modules (report: %s)\n", 100 * covered / total, covered, total, n, report
  }' "$csv"
