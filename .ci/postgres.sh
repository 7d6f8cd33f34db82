#!/usr/bin/env bash
# Install (if needed) and start a local PostgreSQL 15 server for the test suite.
#
# Usage (as root, Debian 12, no systemd needed):
#   export "$(bash .ci/postgres.sh | tail -n 1)"
#
# Idempotent: when PostgreSQL 15 is installed and the cluster is running with
# the settings below it only re-asserts the role and database (well under a
# second). All progress goes to stderr; the only line on stdout is
#   MARKETPLACE_TEST_POSTGRES_URL=postgresql+psycopg://...
set -euo pipefail

PG_VERSION=15
PG_CLUSTER=main
PG_HOST=127.0.0.1
PG_PORT=5432
DB_USER=marketplace
DB_PASSWORD=marketplace
DB_NAME=marketplace_test
WAIT_SECONDS=60

PG_BIN="/usr/lib/postgresql/${PG_VERSION}/bin"
PG_CONF_DIR="/etc/postgresql/${PG_VERSION}/${PG_CLUSTER}"
PG_LOG="/var/log/postgresql/postgresql-${PG_VERSION}-${PG_CLUSTER}.log"
TEST_CONF="${PG_CONF_DIR}/conf.d/90-marketplace-test.conf"

log() { printf '[postgres.sh] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Run a command as the postgres OS user from a directory it can read.
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

# psql as the superuser over the local unix socket (peer authentication).
admin_psql() {
    as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@"
}

# Prints the cluster's status column, or nothing if the cluster does not exist.
# pg_lsclusters says "online" only if the PID in postmaster.pid is a live
# postgres process (pg_ctl status is fooled by a zombie or a reused PID).
cluster_status() {
    pg_lsclusters -h 2>/dev/null \
        | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1 == v && $2 == c { print $4 }'
}
cluster_running() { [[ "$(cluster_status)" == online* ]]; }

# True if the file's first line is the PID of a live postgres process.
pid_file_live() {
    local pid
    pid=$(head -n 1 "$1" 2>/dev/null | tr -cd '0-9')
    [ -n "$pid" ] && [[ " $(tr '\0' ' ' 2>/dev/null < "/proc/${pid}/cmdline") " == *[/\ ]postgres\ * ]]
}

[ "$(id -u)" -eq 0 ] || die "must run as root (installs packages and starts the server)"

# --- 1. packages ------------------------------------------------------------
if [ -x "${PG_BIN}/postgres" ] && command -v pg_ctlcluster >/dev/null \
        && command -v psql >/dev/null; then
    log "PostgreSQL ${PG_VERSION} already installed"
else
    log "installing PostgreSQL ${PG_VERSION} from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends \
        "postgresql-${PG_VERSION}" "postgresql-client-${PG_VERSION}" >&2
fi

# --- 2. cluster -------------------------------------------------------------
if [ -z "$(cluster_status)" ]; then
    log "creating cluster ${PG_VERSION}/${PG_CLUSTER}"
    pg_createcluster --port "$PG_PORT" --locale C.UTF-8 --encoding UTF8 \
        "$PG_VERSION" "$PG_CLUSTER" >&2
fi

# Directories that live on tmpfs or may be missing on a copied machine image.
install -d -o postgres -g postgres -m 2775 /var/run/postgresql
install -d -o root -g postgres -m 1775 /var/log/postgresql

# Test settings: loopback only, fixed port, no TLS (loopback only, and the
# snakeoil certificate may be missing). fsync stays on.
desired_conf="# Managed by .ci/postgres.sh: settings for the marketplace test suite.
listen_addresses = '${PG_HOST}'
port = ${PG_PORT}
max_connections = 100
ssl = off
"
conf_changed=0
if [ ! -f "$TEST_CONF" ] || [ "$(cat "$TEST_CONF")" != "$(printf '%s' "$desired_conf")" ]; then
    install -d -o postgres -g postgres -m 755 "${PG_CONF_DIR}/conf.d"
    printf '%s' "$desired_conf" > "$TEST_CONF"
    chown postgres:postgres "$TEST_CONF"
    conf_changed=1
    log "wrote ${TEST_CONF}"
fi
# Debian's default is 'auto'; a 'disabled' cluster refuses pg_ctlcluster start.
if grep -qx 'disabled' "${PG_CONF_DIR}/start.conf" 2>/dev/null; then
    echo auto > "${PG_CONF_DIR}/start.conf"
fi

# pg_ctlcluster runs pg_ctl as the cluster owner; --skip-systemctl-redirect
# keeps it from handing off to systemctl (there is no systemd here anyway).
if cluster_running; then
    if [ "$conf_changed" -eq 1 ]; then
        log "restarting cluster ${PG_VERSION}/${PG_CLUSTER} to apply settings"
        pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" restart -m fast >&2
    else
        log "cluster ${PG_VERSION}/${PG_CLUSTER} already running"
    fi
else
    log "starting cluster ${PG_VERSION}/${PG_CLUSTER}"
    # A server killed without a clean shutdown leaves lock files behind.
    # pg_ctlcluster removes a stale postmaster.pid itself, not the socket lock.
    socket_lock="/var/run/postgresql/.s.PGSQL.${PG_PORT}.lock"
    if [ -e "$socket_lock" ] && ! pid_file_live "$socket_lock"; then
        log "removing stale ${socket_lock}"
        rm -f "$socket_lock" "/var/run/postgresql/.s.PGSQL.${PG_PORT}"
    fi
    if ! pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start >&2; then
        tail -n 30 "$PG_LOG" >&2 || true
        die "could not start cluster ${PG_VERSION}/${PG_CLUSTER}"
    fi
fi

# --- 3. wait until it accepts TCP connections on the loopback address -------
deadline=$((SECONDS + WAIT_SECONDS))
until pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
        tail -n 30 "$PG_LOG" >&2 || true
        die "server not accepting connections on ${PG_HOST}:${PG_PORT} after ${WAIT_SECONDS}s"
    fi
    sleep 0.5
done

# --- 4. role and database (idempotent; password re-asserted every run) ------
admin_psql <<SQL >&2
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${DB_USER}') THEN
        CREATE ROLE ${DB_USER} LOGIN CREATEDB PASSWORD '${DB_PASSWORD}';
    ELSE
        ALTER ROLE ${DB_USER} LOGIN CREATEDB PASSWORD '${DB_PASSWORD}';
    END IF;
END
\$\$;
SQL
if [ "$(admin_psql -Atc "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'")" != "1" ]; then
    log "creating database ${DB_NAME}"
    admin_psql -c "CREATE DATABASE ${DB_NAME} OWNER ${DB_USER} ENCODING 'UTF8' TEMPLATE template0" >&2
else
    admin_psql -c "ALTER DATABASE ${DB_NAME} OWNER TO ${DB_USER}" >&2
fi

# --- 5. prove the application's credentials work over TCP -------------------
PGPASSWORD="$DB_PASSWORD" PGCONNECT_TIMEOUT=5 \
    psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" \
    -Atc 'SELECT 1' >/dev/null \
    || die "cannot connect as ${DB_USER} to ${DB_NAME} on ${PG_HOST}:${PG_PORT}"
log "ready: ${DB_USER}@${PG_HOST}:${PG_PORT}/${DB_NAME}"

echo "MARKETPLACE_TEST_POSTGRES_URL=postgresql+psycopg://${DB_USER}:${DB_PASSWORD}@${PG_HOST}:${PG_PORT}/${DB_NAME}"
