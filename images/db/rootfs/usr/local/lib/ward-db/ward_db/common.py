"""What every part of ward-db shares: settings from the environment, the report lines Ward reads, and processes.

Ward starts the database, its backup repository and its jobs with environment variables (WARD_DB_*) and reads what a
job did from its output: lines starting with "ward-progress " (one JSON object each) while it runs, and its result as
"ward-result I N CHUNK" lines (base64 of one JSON object, cut in chunks, because Docker splits long log lines).
Everything else on the output is for people. Secret values (passwords, connection strings) are never printed.
"""
import base64
import datetime
import json
import os
import subprocess
import sys
import time

# Where things are inside the containers Ward runs (the volumes are mounted there).
DATA_ROOT = "/var/lib/postgresql/data"          # the database's volume
PGDATA = DATA_ROOT + "/pgdata"                  # the cluster in it (restores are made beside it, then swapped in)
REPOSITORY_ROOT = "/var/lib/ward-backups"       # the backup repository's volume
SCRATCH_ROOT = "/var/lib/ward-scratch"          # throwaway clusters: backup checks, rehearsals
RUN = "/tmp/ward-db"                            # keys and configuration made at start (the root filesystem is read-only)
SOCKET_DIR = "/run/postgresql"
TLS_PORT = 8432                                 # pgBackRest's TLS server, between the database and its repository
CHUNK = 6000


class Failure(Exception):
    """A failure to report as the job's result: a message for people, and a code Ward maps."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def say(message):
    print(f"ward-db: {message}", file=sys.stderr, flush=True)


def progress(phase, message, **facts):
    print("ward-progress " + json.dumps({"phase": phase, "message": message, "at": now_iso(), **facts}), flush=True)


def result(document):
    text = base64.b64encode(json.dumps(document, separators=(",", ":")).encode()).decode()
    chunks = [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
    for index, chunk in enumerate(chunks):
        print(f"ward-result {index + 1} {len(chunks)} {chunk}", flush=True)


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def now_iso():
    return iso(now())


def iso(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text):
    """An ISO 8601 time with a zone (Ward sends UTC)."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def env(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def required(name):
    value = env(name)
    if value is None:
        raise Failure("configuration", f"{name} is not set; Ward sets it on the services and jobs it starts")
    return value


def read_secret(path):
    """A secret file's value without its final line break (as psql's backticks and the clinic's API read it)."""
    with open(path, encoding="utf-8") as f:
        return f.read().rstrip("\n")


def run(args, check=True, timeout=None, env_extra=None, capture=True):
    """Runs a program; on failure raises Failure with the end of its error output (never its arguments' secrets)."""
    environment = dict(os.environ, **(env_extra or {}))
    try:
        done = subprocess.run(args, capture_output=capture, text=True, timeout=timeout, env=environment)
    except subprocess.TimeoutExpired:
        raise Failure("timeout", f"{os.path.basename(args[0])} did not finish within {timeout} s")
    if check and done.returncode != 0:
        raise Failure("command", f"{os.path.basename(args[0])} {args[1] if len(args) > 1 else ''} failed (exit {done.returncode}): {tail(done.stderr or done.stdout)}")
    return done


def tail(text, lines=6):
    kept = [line for line in (text or "").strip().splitlines() if line.strip()]
    return " / ".join(kept[-lines:]) if kept else "no output"


def write_private(path, content):
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    fd = os.open(path + ".new", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(content)
    os.replace(path + ".new", path)


def write_json_atomically(path, document):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".new", "w", encoding="utf-8") as f:
        json.dump(document, f, indent=1, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(path + ".new", path)


def read_json(path, default):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def wait_for(condition, seconds, step=0.5):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


def directory_bytes(path):
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except FileNotFoundError:
                pass
    return total
