"""The backup repository's task, on a node other than the database's: pgBackRest's TLS server (the database pushes its
WAL here) and the schedule: a full backup daily, differential ones in between, each checked once taken, old ones
expired by the retention points. It runs whether or not Ward is running; Ward reads its catalog.
"""
import datetime
import signal
import subprocess
import sys
import time

from .backups import check_pending, expire, locked, read_catalog, take, update_catalog
from .common import REPOSITORY_ROOT, Failure, iso, now, now_iso, parse_time, run, say, tail
from .settings import Settings, split_tls, write_config

LOOP_SECONDS = 20
RETRY_AFTER_FAILURE = datetime.timedelta(minutes=5)
EXPIRE_EVERY = datetime.timedelta(hours=1)


def serve():
    settings = Settings()
    tls = split_tls(settings.tls_bundle)
    config = write_config(settings, "repository", tls=tls)
    helper = subprocess.Popen(["pgbackrest", f"--config={config}", "server"], stdout=sys.stderr)
    stopping = False

    def stop(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    mark_interrupted()
    stanza_ready = False
    last_expire = None
    while not stopping:
        if helper.poll() is not None:
            say(f"pgBackRest's TLS server exited ({helper.returncode}); starting it again")
            helper = subprocess.Popen(["pgbackrest", f"--config={config}", "server"], stdout=sys.stderr)
        try:
            if not stanza_ready:
                # Under the backup lock, as every pgBackRest command that takes the stanza's own lock: a backup job
                # beside this task then waits for it instead of failing on pgBackRest's lock.
                with locked("backup", wait_seconds=3600):
                    stanza_ready = ensure_stanza(settings, config)
            if stanza_ready:
                # A backup whose job died (its node stopped, its disk filled before it could record the end) holds
                # no lock: while it stays "running" the schedule would wait for it forever.
                mark_interrupted()
                record_skipped(settings)
                kind = due(read_catalog(), now(), settings.schedule)
                if kind:
                    entry = take(settings, kind, "schedule")
                    say(f"scheduled {kind} backup: {entry['status']}{'' if 'error' not in entry else ' - ' + entry['error']}")
                check_pending(settings)
                if last_expire is None or now() - last_expire >= EXPIRE_EVERY:
                    with locked("backup", wait_seconds=3600):
                        expire(settings)
                    last_expire = now()
        except Failure as failure:
            say(failure.message)
        except OSError as e:
            # A full volume (or one gone read-only) must not stop the task: the database's WAL keeps trying to reach
            # it, and the schedule goes on once there is room again.
            say(f"the repository could not write: {e}")
        try:
            heartbeat(settings, stanza_ready)
        except OSError as e:
            say(f"the repository could not record its heartbeat: {e}")
        for _ in range(LOOP_SECONDS):
            if stopping:
                break
            time.sleep(1)
    helper.terminate()
    return 0


def ensure_stanza(settings, config):
    """Creates the repository's stanza once the database answers (idempotent); records why not otherwise."""
    done = run(["pgbackrest", f"--config={config}", f"--stanza={settings.stanza}", "stanza-create"], check=False, timeout=300)
    message = "ready" if done.returncode == 0 else f"waiting for the database: {tail(done.stderr or done.stdout, 2)}"
    update_catalog(lambda c: c.setdefault("scheduler", {}).update(stanza=message))
    if done.returncode == 0:
        say(f"stanza {settings.stanza} is ready")
    return done.returncode == 0


def heartbeat(settings, stanza_ready):
    def change(catalog):
        scheduler = catalog.setdefault("scheduler", {})
        scheduler.update(heartbeat=now_iso(), schedule=settings.schedule, retention=settings.retention)
        if not stanza_ready:
            return
        scheduler["next"] = next_run(catalog, now(), settings.schedule)
    update_catalog(change)


def mark_interrupted():
    """Backups left 'running' by a task that stopped mid-way are failures (unless a job beside us still runs one)."""
    if not any(b["status"] == "running" for b in read_catalog()["backups"]):
        return
    try:
        with locked("backup", wait_seconds=0):
            def change(catalog):
                for backup in catalog["backups"]:
                    if backup["status"] == "running":
                        backup.update(status="failed", error="interrupted: the task taking it stopped before it ended")
                        backup["check"] = {"status": "not-checked", "reason": "the backup did not finish"}
            update_catalog(change)
    except Failure:
        pass


def interval_of(schedule):
    text = schedule.get("incremental", "1h")
    unit = {"m": "minutes", "h": "hours", "d": "days"}[text[-1]]
    return datetime.timedelta(**{unit: int(text[:-1])})


def full_slot(moment, schedule):
    """The latest daily full-backup time at or before the moment."""
    hour, minute = (int(part) for part in schedule.get("full", "01:00").split(":"))
    slot = moment.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return slot if slot <= moment else slot - datetime.timedelta(days=1)


def due(catalog, moment, schedule):
    """full, diff or None: what the schedule asks for now."""
    backups = catalog["backups"]
    attempts = sorted(backups, key=lambda b: b["started"])
    if attempts and attempts[-1]["status"] == "failed" and moment - parse_time(attempts[-1]["started"]) < RETRY_AFTER_FAILURE:
        return None
    if any(b["status"] == "running" for b in backups):
        return None
    good = [b for b in attempts if b["status"] == "ok"]
    fulls = [b for b in good if b["kind"] == "full"]
    if not fulls or parse_time(fulls[-1]["started"]) < full_slot(moment, schedule):
        return "full"
    if moment - parse_time(good[-1]["started"]) >= interval_of(schedule):
        return "diff"
    return None


def next_run(catalog, moment, schedule):
    good = [b for b in sorted(catalog["backups"], key=lambda b: b["started"]) if b["status"] == "ok"]
    if not good:
        return iso(moment)
    candidates = [full_slot(moment, schedule) + datetime.timedelta(days=1), parse_time(good[-1]["started"]) + interval_of(schedule)]
    return iso(min(candidates))


def record_skipped(settings):
    """A schedule that passed with no backup attempted (the task or its node was down) is recorded as skipped, once."""
    catalog = read_catalog()
    attempts = sorted(catalog["backups"], key=lambda b: b["started"])
    if not attempts:
        return
    gap_start = parse_time(attempts[-1]["started"])
    interval = interval_of(settings.schedule)
    if now() - gap_start <= 2 * interval:
        return
    if any(parse_time(s["to"]) >= gap_start for s in catalog.get("skipped", [])):
        return
    record = {"from": iso(gap_start + interval), "to": now_iso(),
              "reason": "no backup was attempted: the repository's task was not running (its node or the task was down)"}
    update_catalog(lambda c: c.setdefault("skipped", []).append(record))
    say(f"skipped: {record['from']} to {record['to']}")
