"""PostgreSQL clusters that ward-db starts for a while (to check a backup, finish a restore, rehearse a migration)."""
import contextlib
import os
import shutil

import psycopg2

from .common import Failure, RUN, run, say, tail, wait_for

BIN = "/usr/lib/postgresql/15/bin"


class Instance:
    """A cluster in a folder, served on a socket of its own and no TCP port, started and stopped by ward-db."""

    def __init__(self, datadir, name, options=None):
        self.datadir = datadir
        self.socket_dir = f"{RUN}/sockets/{name}"
        self.log = f"{RUN}/{name}.log"
        self.options = {
            "listen_addresses": "''",
            "unix_socket_directories": f"'{self.socket_dir}'",
            "port": "5432",
            # Never push WAL from a throwaway cluster: it would enter the repository as a new timeline.
            "archive_mode": "off",
            # A restored cluster replays WAL without serving reads, so its settings need not match the source's.
            "hot_standby": "off",
            "shared_buffers": "128MB",
            "max_connections": "40",
            "logging_collector": "off",
            "log_min_messages": "warning",
            **(options or {}),
        }
        self.started = False

    def initdb(self, superuser="postgres"):
        os.makedirs(os.path.dirname(self.datadir), exist_ok=True)
        run([f"{BIN}/initdb", f"--pgdata={self.datadir}", f"--username={superuser}", "--auth-local=peer", "--auth-host=scram-sha-256",
             "--encoding=UTF8", "--locale=C.UTF-8", "--data-checksums", "--no-sync"])

    def start(self, timeout=600):
        os.makedirs(self.socket_dir, mode=0o700, exist_ok=True)
        options = " ".join(f"-c {k}={v}" for k, v in self.options.items())
        done = run([f"{BIN}/pg_ctl", f"--pgdata={self.datadir}", "--wait", f"--timeout={timeout}", f"--log={self.log}", "-o", options, "start"], check=False)
        if done.returncode != 0:
            raise Failure("start", f"PostgreSQL did not start on the restored data: {self.log_tail()}")
        self.started = True

    def wait_promoted(self, timeout):
        """Waits until recovery has ended and the cluster accepts writes; fails with PostgreSQL's own reason."""
        def promoted():
            if not self.running():
                raise Failure("recovery", f"PostgreSQL stopped during recovery: {self.log_tail()}")
            try:
                with self.connect("postgres") as conn, conn.cursor() as cur:
                    cur.execute("SELECT NOT pg_is_in_recovery()")
                    return cur.fetchone()[0]
            except psycopg2.OperationalError:
                return False
        if not wait_for(promoted, timeout, 1):
            raise Failure("recovery", f"recovery did not finish within {timeout} s: {self.log_tail()}")

    def running(self):
        return run([f"{BIN}/pg_ctl", f"--pgdata={self.datadir}", "status"], check=False).returncode == 0

    def stop(self):
        if self.started:
            run([f"{BIN}/pg_ctl", f"--pgdata={self.datadir}", "--wait", "--timeout=300", "--mode=fast", "stop"], check=False)
            self.started = False

    def connect(self, dbname, user="postgres"):
        """A connection in autocommit, closed at the end of a with block (psycopg2's own would open a transaction)."""
        conn = psycopg2.connect(host=self.socket_dir, port=5432, dbname=dbname, user=user, connect_timeout=10,
                                application_name="ward-db")
        conn.autocommit = True
        return contextlib.closing(conn)

    def log_tail(self):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return tail(f.read(), 4)
        except FileNotFoundError:
            return "no server log"

    def remove(self):
        self.stop()
        shutil.rmtree(self.datadir, ignore_errors=True)
        say(f"removed {self.datadir}")


def databases(conn):
    """The databases that hold user data: every one that accepts connections, except the templates."""
    with conn.cursor() as cur:
        cur.execute("SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname")
        return [row[0] for row in cur.fetchall()]
