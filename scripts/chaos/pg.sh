#!/usr/bin/env bash
# The campaign's PostgreSQL (never the shared one: run with the campaign's STACK_DIR / PG_PORT):
#   pg.sh stop fast|immediate   pg.sh start   pg.sh createdb NAME   pg.sh dropdb NAME
set -euo pipefail
# shellcheck source=../stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../stack/lib.sh"

case ${1:-} in
  stop) as_pg "$(pg_bin)/pg_ctl" stop -D "$(pg_data)" -m "${2:-fast}" -s -w -t 30 ;;
  start)
    as_pg "$(pg_bin)/pg_ctl" start -D "$(pg_data)" -l "$(log_file postgres)" -s -w -t 60 \
      -o "-p $PG_PORT -k $(pg_socket_dir)" >/dev/null
    ;;
  createdb) as_pg "$(pg_bin)/psql" -h "$(pg_socket_dir)" -p "$PG_PORT" -d postgres -qtA -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE \"$2\" OWNER $PG_APP_USER" ;;
  dropdb) as_pg "$(pg_bin)/psql" -h "$(pg_socket_dir)" -p "$PG_PORT" -d postgres -qtA -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)" ;;
  *) die "usage: pg.sh stop fast|immediate | start | createdb NAME | dropdb NAME" ;;
esac
