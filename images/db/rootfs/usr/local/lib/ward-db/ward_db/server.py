"""The database's task: PostgreSQL with the tier's settings, its WAL archived to the backup repository, and
pgBackRest's TLS server beside it for the repository's backups; this process supervises both.

The cluster lives in pgdata/ on the volume. A restore is made beside it (restored-ID/, complete once restored-ID.done
exists) and swapped in while the database is stopped: the swap writes its intent first (ward-swap.json) and every
start finishes a swap that was interrupted, so the volume always holds one whole cluster under pgdata/.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

from .common import DATA_ROOT, PGDATA, RUN, SOCKET_DIR, Failure, env, read_json, read_secret, run, say, write_json_atomically
from .settings import Settings, split_tls, write_config

BIN = "/usr/lib/postgresql/15/bin"
SWAP_INTENT = f"{DATA_ROOT}/ward-swap.json"
MIGRATING = f"{DATA_ROOT}/pgdata.migrating"


def serve():
    settings = Settings()
    os.makedirs(RUN, mode=0o700, exist_ok=True)
    adopt_old_layout()
    finish_swap()
    if not os.path.exists(f"{PGDATA}/PG_VERSION"):
        initialise(settings)

    config = None
    if settings.repository_host:
        config = write_config(settings, "database", tls=split_tls(settings.tls_bundle))
        os.environ["PGBACKREST_CONFIG"] = config
    options = server_options(settings, config)
    return supervise([f"{BIN}/postgres", "-D", PGDATA, *[arg for k, v in options.items() for arg in ("-c", f"{k}={v}")]],
                     ["pgbackrest", f"--config={config}", "server"] if config else None)


def server_options(settings, config):
    options = {
        "listen_addresses": "*",
        "unix_socket_directories": SOCKET_DIR,
        "password_encryption": "scram-sha-256",
        "wal_level": "replica",
        **settings.settings,
    }
    if config and settings.archive:
        # WAL is pushed as each segment fills, and at least every 30 s while anything is written: a lost node loses
        # at most about that much (the recovery point objective is 60 s).
        options["archive_mode"] = "on"
        options["archive_command"] = f"pgbackrest --config={config} --stanza={settings.stanza} archive-push %p"
        options["archive_timeout"] = "30s"
    else:
        options["archive_mode"] = "off"
    return options


def adopt_old_layout():
    """A volume made by an earlier image holds the cluster at its top: move it into pgdata/ (once, resumably)."""
    top_level_cluster = os.path.exists(f"{DATA_ROOT}/PG_VERSION") and not os.path.exists(PGDATA)
    if not (top_level_cluster or os.path.isdir(MIGRATING)):
        return
    say(f"moving the cluster at the top of {DATA_ROOT} into {PGDATA}")
    os.makedirs(MIGRATING, mode=0o700, exist_ok=True)
    for entry in os.listdir(DATA_ROOT):
        if entry in ("pgdata.migrating", "lost+found"):
            continue
        os.rename(f"{DATA_ROOT}/{entry}", f"{MIGRATING}/{entry}")
    os.rename(MIGRATING, PGDATA)


def finish_swap():
    """Completes a swap of a restored cluster into pgdata/ that was interrupted, or does nothing."""
    intent = read_json(SWAP_INTENT, None)
    if intent is None:
        return
    restored, previous = f"{DATA_ROOT}/{intent['restored']}", f"{DATA_ROOT}/{intent['previous']}"
    if os.path.isdir(restored):
        if os.path.isdir(PGDATA):
            os.rename(PGDATA, previous)
        os.rename(restored, PGDATA)
    for done in (f"{restored}.done",):
        if os.path.exists(done):
            os.remove(done)
    os.remove(SWAP_INTENT)
    say(f"the restored cluster {intent['restored']} is now {PGDATA}; the one before is kept as {intent['previous']}")


def swap_in(restore_id):
    """Makes restored-ID the database's cluster (run while the database is stopped); keeps the one before aside."""
    restored = f"restored-{restore_id}"
    if not os.path.exists(f"{DATA_ROOT}/{restored}.done"):
        raise Failure("not-restored", f"{restored} is not a complete restore on this volume; nothing was changed")
    for old in os.listdir(DATA_ROOT):
        if old.startswith("previous-"):
            shutil.rmtree(f"{DATA_ROOT}/{old}", ignore_errors=True)
    write_json_atomically(SWAP_INTENT, {"restored": restored, "previous": f"previous-{restore_id}"})
    finish_swap()


def initialise(settings):
    """
    A new cluster on an empty volume, with the application's role and database (as the clinic's image made them).
    It is made in pgdata.initialising and renamed into place once complete, so a task stopped half-way leaves no
    cluster without its role: the next start begins again.
    """
    password_file = settings.password_file
    if not password_file or not os.path.exists(password_file) or os.path.getsize(password_file) == 0:
        raise Failure("configuration", f"POSTGRES_PASSWORD_FILE must name a non-empty file (the password secret); found '{password_file or ''}'")
    leftovers = [e for e in os.listdir(DATA_ROOT) if e not in ("lost+found", "pgdata", "pgdata.initialising")]
    if any(not e.startswith(("restored-", "previous-", "ward-")) for e in leftovers):
        raise Failure("configuration", f"{DATA_ROOT} holds {', '.join(sorted(leftovers))} but no database cluster; refusing to initialise over it")
    building = f"{PGDATA}.initialising"
    shutil.rmtree(building, ignore_errors=True)
    say(f"initialising a new cluster in {PGDATA}")
    # The superuser (postgres) connects only through the local socket (peer); the application's role over the network.
    run([f"{BIN}/initdb", f"--pgdata={building}", "--username=postgres", "--auth-local=peer", "--auth-host=scram-sha-256",
         "--encoding=UTF8", "--locale=C.UTF-8", "--data-checksums"])
    with open(f"{building}/pg_hba.conf", "a", encoding="utf-8") as f:
        f.write("host all all 0.0.0.0/0 scram-sha-256\n")
    # The server's output goes to a file: a pipe would stay open as long as the server runs.
    run([f"{BIN}/pg_ctl", f"--pgdata={building}", "-o", f"-c listen_addresses='' -c unix_socket_directories={SOCKET_DIR}",
         f"--log={RUN}/initialise.log", "--wait", "--silent", "start"])
    try:
        if settings.role != "postgres":
            import psycopg2
            from psycopg2 import sql
            conn = psycopg2.connect(host=SOCKET_DIR, dbname="postgres", user="postgres")
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(settings.role)), (read_secret(password_file),))
                cur.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(settings.database), sql.Identifier(settings.role)))
            conn.close()
    finally:
        run([f"{BIN}/pg_ctl", f"--pgdata={building}", "--mode=fast", "--wait", "--silent", "stop"])
    os.rename(building, PGDATA)
    say(f"created role {settings.role} and database {settings.database}")


def supervise(postgres_args, helper_args):
    """
    Runs PostgreSQL and (when backups are on) pgBackRest's TLS server, as PID 1 of the task: the stop signal goes to
    PostgreSQL, the helper is restarted if it dies, orphans are reaped, and the task ends when PostgreSQL does.
    """
    postgres = subprocess.Popen(postgres_args)
    helper = start_helper(helper_args)
    helper_started = time.monotonic()
    stopping = False

    def forward(signum, _frame):
        nonlocal stopping
        stopping = True
        postgres.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT):
        signal.signal(signum, forward)

    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            return 1
        if pid == postgres.pid:
            if helper is not None and helper.poll() is None:
                helper.terminate()
                helper.wait(timeout=10)
            code = os.waitstatus_to_exitcode(status)
            say(f"PostgreSQL exited ({code})")
            return code if code >= 0 else 128 - code
        if helper is not None and pid == helper.pid and not stopping:
            say(f"pgBackRest's TLS server exited ({os.waitstatus_to_exitcode(status)}); starting it again")
            if time.monotonic() - helper_started < 5:
                time.sleep(5)
            helper = start_helper(helper_args)
            helper_started = time.monotonic()


def start_helper(args):
    return subprocess.Popen(args, stdout=sys.stderr) if args else None


def status():
    """What the running database reports about itself, as JSON on stdout (Ward reads it through exec)."""
    import psycopg2
    conn = psycopg2.connect(host=SOCKET_DIR, dbname="postgres", user="postgres", connect_timeout=5)
    with conn.cursor() as cur:
        cur.execute("""SELECT current_setting('server_version'), pg_is_in_recovery(),
                              (SELECT coalesce(sum(pg_database_size(datname)), 0)::bigint FROM pg_database),
                              archived_count, last_archived_wal, last_archived_time, failed_count, last_failed_wal, last_failed_time
                       FROM pg_stat_archiver""")
        row = cur.fetchone()
        # Every setting the tier sets (WARD_DB_SETTINGS), so Ward can show each as the database runs it, and archiving's.
        names = sorted(set(Settings().settings) | {"shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem",
                                                   "max_connections", "archive_mode", "archive_timeout"})
        cur.execute("SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s)", (names,))
        shown = {name: f"{setting}{'' if unit is None else ' ' + unit}" for name, setting, unit in cur.fetchall()}
    conn.close()
    volume = os.statvfs(DATA_ROOT)
    document = {
        "version": row[0],
        "inRecovery": row[1],
        "databaseBytes": row[2],
        "volume": {"totalBytes": volume.f_blocks * volume.f_frsize, "freeBytes": volume.f_bavail * volume.f_frsize},
        "archive": {"archived": row[3], "lastArchivedWal": row[4], "lastArchivedAt": iso_or_none(row[5]),
                    "failed": row[6], "lastFailedWal": row[7], "lastFailedAt": iso_or_none(row[8])},
        "settings": shown,
    }
    print(json.dumps(document))
    return 0


def iso_or_none(moment):
    from .common import iso
    return None if moment is None else iso(moment)


def health():
    """Whether PostgreSQL accepts connections on its socket (the service's healthcheck)."""
    return run([f"{BIN}/pg_isready", "-q", "-h", SOCKET_DIR], check=False).returncode


if __name__ == "__main__":
    sys.exit(serve())
