# Installs the system packages EduQL needs when they are missing (sourced by run and test).
# PostgreSQL 15 and libargon2 come from Debian; the Swift toolchain must already be on PATH.

ensure_prerequisites() {
    if ! command -v swift >/dev/null 2>&1; then
        echo "error: Swift 6 is not on PATH; install a Swift 6 toolchain first" >&2
        exit 1
    fi
    local missing=()
    [ -f /usr/include/argon2.h ] || missing+=(libargon2-dev)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    [ -x /usr/lib/postgresql/15/bin/pg_ctl ] || command -v pg_ctl >/dev/null 2>&1 || missing+=(postgresql-15)
    command -v psql >/dev/null 2>&1 || missing+=(postgresql-client-15)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing: ${missing[*]}"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "error: running as root needs the 'postgres' system user (PostgreSQL refuses to run as root)" >&2
        exit 1
    fi
}
