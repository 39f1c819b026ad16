#!/usr/bin/env bash
# Run a command (the SQLite suite) with the clock set just before midnight, twice: a summer
# night, when London's day ends an hour before UTC's, and New Year's Eve. Tests that mix
# the server's date with the borough's, or work out "today" once and use it after
# midnight, fail here rather than in CI at whatever hour it runs. Needs libfaketime
# (`apt-get install faketime`); in CI (CI=true) its absence is a failure.
set -euo pipefail

if ! command -v faketime >/dev/null 2>&1; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "faketime is not installed (apt-get install faketime)" >&2
    exit 1
  fi
  echo "Skipping the near-midnight runs: faketime is not installed (apt-get install faketime)."
  exit 0
fi

for moment in "2027-06-30 22:59:30" "2027-12-31 23:59:30"; do
  echo "The suite from $moment UTC, across midnight:"
  env -u DATABASE_URL faketime -f "@$moment" "$@"
done
