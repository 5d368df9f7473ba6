#!/usr/bin/env bash
# CI: run the README's "Running on PostgreSQL" recipe word for word against the local server.
# Differences, and only these: the role and database get a per-run name (the recipe's `spotter`
# would collide with a real one), `sudo -u postgres` becomes a TCP login as the superuser
# `postgres` (CI's server trusts 127.0.0.1), and both are dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

name="spotter_recipe_$(date +%s)_$$"
recipe="$(sed -n '/<!-- postgres-recipe:start -->/,/<!-- postgres-recipe:end -->/p' README.md \
  | sed '/^<!--/d; /^```/d' | sed "s/\bspotter\b/${name}/g")"
[ -n "$recipe" ] || { echo "no PostgreSQL recipe found in README.md" >&2; exit 1; }

sudo() {  # `sudo -u postgres CMD ...` -> CMD as the superuser over TCP
  [ "${1:-}" = "-u" ] && shift 2
  PGHOST=127.0.0.1 PGUSER=postgres "$@"
}
cleanup() {
  PGHOST=127.0.0.1 PGUSER=postgres psql -q -c "DROP DATABASE IF EXISTS ${name} WITH (FORCE)" \
    -c "DROP ROLE IF EXISTS ${name}" >/dev/null || true
}
trap cleanup EXIT

echo "README PostgreSQL recipe (role and database ${name}):"
echo "$recipe" | sed 's/^/  /'
eval "$recipe"
echo "README PostgreSQL recipe: OK"
