"""The migration rehearsal, run as a job on the database's node: dump the current (legacy) database, restore it into a
throwaway PostgreSQL with the tier's settings, and verify that nothing was lost: per table the row count and a content
checksum, the sequences, the extensions and the owners, compared with the source as of the dump's own snapshot. Each
phase is timed. The live database of the environment is never touched.

The source's connection string comes from a Docker secret (WARD_SOURCE_FILE) and is never printed: the source is
described as user@host:port/database.
"""
import os
import shutil
import threading
import time
import uuid

import psycopg2
import psycopg2.extensions

from .checks import first_difference, fingerprint, totals
from .common import SCRATCH_ROOT, Failure, directory_bytes, progress, read_secret, required, run, say, tail
from .pg import Instance
from .settings import Settings

JOBS = "2"


def connect_source(dsn):
    try:
        return psycopg2.connect(dsn, connect_timeout=10, application_name="ward-rehearsal")
    except psycopg2.OperationalError as e:
        text = str(e).strip()
        if "password authentication failed" in text or "no password supplied" in text or ("role" in text and "does not exist" in text):
            raise Failure("source-credentials", f"the source refused the credentials: {first_line(text)}")
        if "database" in text and "does not exist" in text:
            raise Failure("source-database", f"the source has no such database: {first_line(text)}")
        raise Failure("source-unreachable", f"the source database cannot be reached: {first_line(text)}")
    except psycopg2.ProgrammingError as e:
        raise Failure("source-invalid", f"the connection string is not valid: {first_line(str(e))}")


def first_line(text):
    return text.splitlines()[0] if text else "no detail"


def describe(conn):
    info = conn.info
    return f"{info.user}@{info.host}:{info.port}/{info.dbname}"


def client_environment(conn, password):
    """libpq variables for pg_dump and pg_dumpall: the password travels in the environment, never on a command line."""
    params = conn.get_dsn_parameters()
    environment = {"PGHOST": params.get("host", ""), "PGPORT": params.get("port", "5432"), "PGUSER": params.get("user", ""),
                   "PGDATABASE": params.get("dbname", ""), "PGCONNECT_TIMEOUT": "10", "PGAPPNAME": "ward-rehearsal"}
    if password:
        environment["PGPASSWORD"] = password
    if params.get("sslmode"):
        environment["PGSSLMODE"] = params["sslmode"]
    return environment


def rehearse(plain=False):
    settings = Settings()
    dsn = read_secret(required("WARD_SOURCE_FILE"))
    work = f"{SCRATCH_ROOT}/rehearsal-{uuid.uuid4().hex[:8]}"
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work, mode=0o700)
    phases = {}
    started = time.monotonic()
    instance = Instance(f"{work}/cluster", "rehearsal", target_options(settings))
    try:
        clock = time.monotonic()
        progress("connect", "connecting to the source database")
        source = connect_source(dsn)
        environment = client_environment(source, psycopg2.extensions.parse_dsn(dsn).get("password"))
        origin = describe(source)
        with source.cursor() as cur:
            cur.execute("SELECT pg_database_size(current_database()), current_database(), pg_get_userbyid(d.datdba), pg_encoding_to_char(d.encoding) "
                        "FROM pg_database d WHERE d.datname = current_database()")
            source_bytes, database, owner, encoding = cur.fetchone()
        phases["connect"] = round(time.monotonic() - clock, 2)
        if plain:
            return plain_copy(settings, source, environment, work, instance, database, phases, started, origin, source_bytes)

        # One snapshot for the dump and the source's checksums: both see exactly the same data.
        source.rollback()
        source.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with source.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]

        clock = time.monotonic()
        progress("dump", f"dumping {origin} ({source_bytes // 1_000_000} MB) with {JOBS} jobs, and summing its tables meanwhile")
        # Beside the dump: the source's checksums (same snapshot), and the throwaway PostgreSQL made ready to restore
        # into (its cluster, the source's roles, the empty database), none of which needs the dump.
        errors = []
        helpers = [threading.Thread(target=lambda: dump(environment, snapshot, work, errors)),
                   threading.Thread(target=lambda: prepare_target(instance, environment, work, database, owner, encoding, errors))]
        for helper in helpers:
            helper.start()
        expected = fingerprint(source)
        for helper in helpers:
            helper.join()
        source.rollback()
        source.close()
        if errors:
            raise errors[0]
        phases["dump"] = round(time.monotonic() - clock, 2)
        dump_bytes = directory_bytes(f"{work}/dump")

        clock = time.monotonic()
        progress("restore", f"restoring into a throwaway PostgreSQL with the tier's settings ({JOBS} jobs)")
        restored = run(["pg_restore", "-h", instance.socket_dir, "-U", "postgres", "-d", database, "-j", JOBS, "--no-password", f"{work}/dump"], check=False)
        if restored.returncode != 0:
            raise Failure("restore", f"pg_restore reported errors: {tail(restored.stderr, 3)}")
        phases["restore"] = round(time.monotonic() - clock, 2)

        clock = time.monotonic()
        progress("verify", "comparing every table, sequence, extension and owner with the source")
        with instance.connect(database) as conn:
            with conn.cursor() as cur:
                cur.execute("SELECT pg_database_size(current_database())")
                restored_bytes = cur.fetchone()[0]
            actual = fingerprint(conn, like=expected)
        difference = first_difference(expected, actual)
        phases["verify"] = round(time.monotonic() - clock, 2)
        tables, rows = totals({"source": expected})
        total = time.monotonic() - started
        return {
            "source": origin,
            "database": database,
            "sourceBytes": source_bytes,
            "dumpBytes": dump_bytes,
            "restoredBytes": restored_bytes,
            "tables": tables,
            "rows": rows,
            "sequences": len(expected["sequences"]),
            "extensions": sorted(expected["extensions"]),
            "phases": phases,
            "totalSeconds": round(total, 2),
            "throughputMBps": round(source_bytes / 1_000_000 / max(phases["dump"] + phases["restore"], 0.001), 1),
            "verified": difference is None,
            "difference": difference,
        }
    finally:
        instance.remove()
        shutil.rmtree(work, ignore_errors=True)


def target_options(settings):
    """The tier's memory settings, so the restore runs as it will in production, with WAL sized for a bulk load."""
    options = {k: v for k, v in settings.settings.items() if k in ("shared_buffers", "maintenance_work_mem", "work_mem", "max_parallel_workers", "max_worker_processes")}
    options.update({"max_wal_size": "4GB", "checkpoint_timeout": "15min"})
    return options


def dump(environment, snapshot, work, errors):
    try:
        done = run(["pg_dump", "-Fd", "-j", JOBS, "-Z", "0", f"--snapshot={snapshot}", "--no-password", "-f", f"{work}/dump"], check=False, env_extra=environment)
        if done.returncode != 0:
            errors.append(Failure("dump", f"pg_dump failed: {tail(done.stderr, 3)}"))
    except Failure as failure:
        errors.append(failure)


def prepare_target(instance, environment, work, database, owner, encoding, errors):
    try:
        instance.initdb()
        instance.start()
        restore_globals(instance, environment, work)
        create_database(instance, database, owner, encoding)
    except Failure as failure:
        errors.append(failure)
    except Exception as e:  # noqa: BLE001 - reported as the rehearsal's failure, not lost in a thread.
        errors.append(Failure("restore", f"the throwaway PostgreSQL could not be prepared: {type(e).__name__}: {e}"))


def restore_globals(instance, environment, work):
    """The source's roles (without their passwords, which a non-superuser cannot read), so that owners restore."""
    done = run(["pg_dumpall", "--globals-only", "--no-role-passwords", "--no-password", "-f", f"{work}/globals.sql"], check=False, env_extra=environment)
    if done.returncode != 0:
        say(f"the source's roles could not be read ({tail(done.stderr, 1)}); owners will be checked against what restores")
        return
    run(["psql", "-X", "-q", "-h", instance.socket_dir, "-U", "postgres", "-d", "postgres", "-f", f"{work}/globals.sql"], check=False)


def create_database(instance, database, owner, encoding):
    from psycopg2 import sql
    with instance.connect("postgres") as conn, conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (owner,))
        owner_exists = cur.fetchone() is not None
        cur.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING %s" + (" OWNER {}" if owner_exists else ""))
                    .format(sql.Identifier(database), *([sql.Identifier(owner)] if owner_exists else [])), (encoding,))


def plain_copy(settings, source, environment, work, instance, database, phases, started, origin, source_bytes):
    """
    The reference the benchmark compares with: pg_dump -Fc to a file, then pg_restore -j 2 from it (a parallel restore
    cannot read a pipe), no verification. The target PostgreSQL is made and started first and not timed, as a person's
    target is already running: the reference's total is the dump and the restore alone.
    """
    source.close()
    instance.initdb()
    instance.start()
    with instance.connect("postgres") as conn, conn.cursor() as cur:
        from psycopg2 import sql
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    copying = time.monotonic()
    progress("dump", "pg_dump -Fc")
    done = run(["pg_dump", "-Fc", "--no-password", "-f", f"{work}/dump.custom"], check=False, env_extra=environment)
    if done.returncode != 0:
        raise Failure("dump", f"pg_dump failed: {tail(done.stderr, 3)}")
    phases["dump"] = round(time.monotonic() - copying, 2)
    clock = time.monotonic()
    progress("restore", "pg_restore -j 2")
    restored = run(["pg_restore", "-h", instance.socket_dir, "-U", "postgres", "-d", database, "-j", JOBS, "--no-owner", "--no-password", f"{work}/dump.custom"], check=False)
    if restored.returncode != 0:
        raise Failure("restore", f"pg_restore reported errors: {tail(restored.stderr, 3)}")
    phases["restore"] = round(time.monotonic() - clock, 2)
    return {"source": origin, "database": database, "sourceBytes": source_bytes, "dumpBytes": os.path.getsize(f"{work}/dump.custom"),
            "phases": phases, "totalSeconds": round(time.monotonic() - copying, 2), "plain": True}
