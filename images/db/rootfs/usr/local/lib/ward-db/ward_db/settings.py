"""The settings Ward gives a database, its repository and its jobs, and the pgBackRest configuration made from them.

The database and its repository talk through pgBackRest's TLS server (port 8432) on the database's own network, with
client certificates: Ward makes one certificate authority and one certificate per database, kept in a Docker secret
(WARD_DB_TLS: the authority's certificate, then the certificate, then its key, as PEM). The database pushes its WAL to
the repository as it fills; the repository pulls backups from the database.
"""
import os
import re

from .common import RUN, REPOSITORY_ROOT, TLS_PORT, PGDATA, SOCKET_DIR, Failure, env, required, write_private

PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z ]+)-----.*?-----END \1-----\n?", re.S)


class Settings:
    """WARD_DB_* from the environment."""

    def __init__(self):
        self.name = required("WARD_DB_NAME")                       # the database's name in Ward (the stanza)
        self.database_host = env("WARD_DB_HOST", f"ward-db-{self.name}")
        self.repository_host = env("WARD_DB_REPOSITORY")            # unset: no backups for this database
        self.tls_bundle = env("WARD_DB_TLS", "/run/secrets/ward-db-tls")
        self.role = env("POSTGRES_USER", "postgres")
        self.database = env("POSTGRES_DB", self.role)
        self.password_file = env("POSTGRES_PASSWORD_FILE")
        self.settings = parse_pairs(env("WARD_DB_SETTINGS", ""))    # PostgreSQL settings from the tier
        self.schedule = parse_pairs(env("WARD_DB_SCHEDULE", "full=01:00 incremental=1h"))
        self.retention = {k: int(v) for k, v in parse_pairs(env("WARD_DB_RETENTION", "hourly=24 daily=7 weekly=4")).items()}
        self.archive = env("WARD_DB_ARCHIVE", "on" if self.repository_host else "off") == "on"

    @property
    def stanza(self):
        return self.name


def parse_pairs(text):
    pairs = {}
    for item in text.split():
        key, _, value = item.partition("=")
        if key:
            pairs[key] = value
    return pairs


def split_tls(bundle_path):
    """Writes the authority, certificate and key of the bundle as separate private files; returns their paths."""
    if not os.path.exists(bundle_path):
        raise Failure("configuration", f"the TLS bundle {bundle_path} is missing (Ward mounts it as a secret)")
    with open(bundle_path, encoding="ascii") as f:
        blocks = [m.group(0) for m in PEM_BLOCK.finditer(f.read())]
    if len(blocks) != 3:
        raise Failure("configuration", f"the TLS bundle {bundle_path} holds {len(blocks)} PEM blocks; 3 are expected (authority, certificate, key)")
    paths = {"ca": f"{RUN}/ca.crt", "cert": f"{RUN}/tls.crt", "key": f"{RUN}/tls.key"}
    for (_, path), block in zip(paths.items(), blocks):
        write_private(path, block)
    return paths


def write_config(settings, role, pg_path=PGDATA, repository_path=None, tls=None):
    """
    pgBackRest's configuration for one of Ward's roles; returns its path.

      database    on the database's task: WAL goes to the repository host; serves the repository's backups
      repository  on the repository's task and the jobs beside it: the repository on its volume, the database remote
      local       the repository and a throwaway cluster on the same task (checking a backup by restoring it)
      client      a job on the database's node that restores from the repository host into pg_path
    """
    lines = ["[global]",
             "log-level-console=warn", "log-level-stderr=off", "log-level-file=off",
             "compress-type=lz4", "process-max=2",
             # A database or repository that stops answering must fail a backup within minutes, not half an hour.
             "protocol-timeout=120", "db-timeout=90", "io-timeout=60"]
    if role in ("repository", "local"):
        base = repository_path or REPOSITORY_ROOT
        lines += [f"repo1-path={base}/repo", f"lock-path={base}/lock", f"spool-path={base}/spool",
                  # Ward expires backup sets itself (hourly, daily and weekly points); pgBackRest keeps what it is told.
                  "repo1-retention-full=9999", "repo1-retention-full-type=count", "repo1-bundle=y"]
    else:
        # The repository's path is the remote's, but pgBackRest sends the client's setting: the same on both sides.
        lines += [f"lock-path={RUN}/lock", f"spool-path={RUN}/spool", f"repo1-path={REPOSITORY_ROOT}/repo",
                  f"repo1-host={settings.repository_host}", "repo1-host-type=tls", f"repo1-host-port={TLS_PORT}",
                  f"repo1-host-ca-file={tls['ca']}", f"repo1-host-cert-file={tls['cert']}", f"repo1-host-key-file={tls['key']}"]
    if tls is not None and role in ("database", "repository"):
        lines += ["tls-server-address=*", f"tls-server-port={TLS_PORT}",
                  f"tls-server-ca-file={tls['ca']}", f"tls-server-cert-file={tls['cert']}", f"tls-server-key-file={tls['key']}",
                  f"tls-server-auth=ward-db={settings.stanza}"]
    lines += ["", f"[{settings.stanza}]", f"pg1-path={pg_path}"]
    if role == "repository":
        lines += [f"pg1-host={settings.database_host}", "pg1-host-type=tls", f"pg1-host-port={TLS_PORT}",
                  f"pg1-host-ca-file={tls['ca']}", f"pg1-host-cert-file={tls['cert']}", f"pg1-host-key-file={tls['key']}"]
    else:
        lines += [f"pg1-socket-path={SOCKET_DIR if role == 'database' else RUN}"]
    name = f"pgbackrest-{role}.conf"
    path = os.path.join(RUN, name)
    write_private(path, "\n".join(lines) + "\n")
    os.makedirs(f"{RUN}/lock", mode=0o700, exist_ok=True)
    os.makedirs(f"{RUN}/spool", mode=0o700, exist_ok=True)
    return path
