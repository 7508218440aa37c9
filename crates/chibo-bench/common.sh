# Shared by province.sh and growth.sh (sourced, after ROOT, TARGET, WORK and
# PG_ADMIN are set): the binaries, the log level, and PostgreSQL helpers.

# BIN_CHIBO and BIN_BENCH: prebuilt binaries (of one commit) instead.
if [[ -z ${BIN_CHIBO:-} || -z ${BIN_BENCH:-} ]]; then
    (cd "$ROOT" && cargo build --release -q -p chibo-server -p chibo-bench)
fi
CHIBO=${BIN_CHIBO:-$TARGET/release/chibo}
BENCH=${BIN_BENCH:-$TARGET/release/chibo-bench}
mkdir -p "$WORK"
# chibo's own variable (it does not read RUST_LOG).
export CHIBO_LOG=${CHIBO_LOG:-warn}

pg_url() { # database name -> URL on the admin server
    local prefix=${PG_ADMIN%/*} query=""
    [[ $PG_ADMIN == *\?* ]] && query="?${PG_ADMIN#*\?}"
    echo "$prefix/$1$query"
}

pg_fresh() { # drop and create a database
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
}

now_ms() { date +%s%3N; }
