#!/usr/bin/env bash
# Run a command against PostgreSQL: DATABASE_URL if it names one, else a throwaway cluster.
# Without PostgreSQL this is an error in CI (CI=true) and a loud warning elsewhere.
set -euo pipefail

if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  exec "$@"
fi

pg_bin=""
if command -v initdb >/dev/null 2>&1; then
  pg_bin=$(dirname "$(command -v initdb)")
else
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" ]] && pg_bin=$dir
  done
fi

if [[ -z "$pg_bin" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "PostgreSQL is required in CI, but neither DATABASE_URL nor initdb is available." >&2
    exit 1
  fi
  echo "WARNING: no PostgreSQL (set DATABASE_URL or install it): the PostgreSQL run is NOT done." >&2
  exit 0
fi

tmp=$(mktemp -d /tmp/hub-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres "$tmp"
  as_pg=(runuser -u postgres --)
fi
stop() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap stop EXIT
"${as_pg[@]}" "$pg_bin/initdb" -D "$tmp/data" -A trust -U postgres >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$tmp/data" -l "$tmp/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "Using a throwaway PostgreSQL on port $port"
"$@"
