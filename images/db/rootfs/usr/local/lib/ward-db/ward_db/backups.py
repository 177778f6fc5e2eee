"""Backups in the repository: taking them, checking each by restoring it into a throwaway cluster, keeping the catalog
of what happened (failures and skipped schedules too), and expiring old ones by hourly, daily and weekly points.

A backup is shown as good only when it was taken AND its check passed: restored, recovered to its consistent point,
every table of every database read in full (row counts and content checksums recorded), with data in it. A backup
that failed, holds no data, was skipped, or could not be checked is never reported as a success.
"""
import contextlib
import datetime
import errno
import fcntl
import json
import os
import shutil
import time
import uuid

from .checks import fingerprint_instance, totals
from .common import REPOSITORY_ROOT, SCRATCH_ROOT, Failure, iso, now, now_iso, parse_time, progress, read_json, run, say, tail, write_json_atomically
from .pg import Instance
from .settings import write_config

CATALOG = f"{REPOSITORY_ROOT}/ward/catalog.json"
KINDS = {"full": "full", "diff": "diff", "incremental": "diff"}


@contextlib.contextmanager
def locked(name, wait_seconds=None):
    """A lock on the repository's volume, shared by the repository's task and the jobs beside it on the same node."""
    os.makedirs(f"{REPOSITORY_ROOT}/ward", exist_ok=True)
    with open(f"{REPOSITORY_ROOT}/ward/{name}.lock", "w", encoding="utf-8") as f:
        deadline = None if wait_seconds is None else time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise Failure("busy", f"another {name} is in progress on this repository")
                time.sleep(1)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def read_catalog():
    return read_json(CATALOG, {"backups": [], "skipped": [], "scheduler": {}})


def update_catalog(change):
    with locked("catalog"):
        catalog = read_catalog()
        change(catalog)
        write_json_atomically(CATALOG, catalog)
        return catalog


def save_entry(entry):
    def change(catalog):
        catalog["backups"] = [b for b in catalog["backups"] if b["id"] != entry["id"]] + [entry]
    update_catalog(change)


def info(settings, config):
    """pgBackRest's view of the stanza: its backups and the WAL archive's range."""
    done = run(["pgbackrest", f"--config={config}", f"--stanza={settings.stanza}", "--output=json", "info"], check=False, timeout=120)
    if done.returncode != 0:
        raise Failure("info", f"pgbackrest info failed: {tail(done.stderr or done.stdout)}")
    stanzas = json.loads(done.stdout or "[]")
    return stanzas[0] if stanzas else {"backup": [], "archive": [], "status": {"code": 1, "message": "missing stanza"}}


def take(settings, kind, trigger):
    """
    Takes a backup (full or differential) into the repository, records it, checks it, and returns its catalog entry.
    The check runs under the same lock as the backup: the repository's schedule, which checks what is left pending,
    must not restore the same backup into the same scratch folder at the same time.
    """
    config = write_config(settings, "repository", tls=tls_of(settings))
    kind = KINDS.get(kind, kind)
    if kind == "auto":
        kind = "diff" if any(b["status"] == "ok" and b["kind"] == "full" for b in read_catalog()["backups"]) else "full"
    entry = {"id": uuid.uuid4().hex[:12], "kind": kind, "trigger": trigger, "started": now_iso(), "status": "running", "check": {"status": "pending"}}
    progress("waiting", "waiting for any backup in progress on this repository to end")
    try:
        with locked("backup", wait_seconds=3600):
            save_entry(entry)
            try:
                backup_into(settings, config, entry, {b["label"] for b in info(settings, config).get("backup", [])})
            except Failure as failure:
                entry.update(status="failed", error=failure.message)
            if entry["status"] != "ok":
                entry["check"] = {"status": "not-checked", "reason": "the backup failed"}
            save_entry(entry)
            return check(settings, entry) if entry["status"] == "ok" else entry
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise
        # Not even the catalog could be written: the attempt is reported, and the schedule marks it failed later.
        raise Failure("disk-full", repository_full("ward-db could not record the backup in its catalog"))


def repository_full(detail):
    usage = os.statvfs(REPOSITORY_ROOT)
    free, total = usage.f_bavail * usage.f_frsize, usage.f_blocks * usage.f_frsize
    return f"the backup repository's disk is full ({free / 1e6:.1f} MB free of {total / 1e6:.1f} MB): {detail}; free space on its volume (or give it a larger one), then take a backup again"


def backup_into(settings, config, entry, before):
    progress("backup", f"taking a {'full' if entry['kind'] == 'full' else 'differential'} backup of {settings.stanza}")
    clock = time.monotonic()
    done = run(["pgbackrest", f"--config={config}", f"--stanza={settings.stanza}", f"--type={entry['kind']}", "backup"], check=False)
    entry["durationSeconds"] = round(time.monotonic() - clock, 1)
    entry["finished"] = now_iso()
    if done.returncode != 0:
        entry.update(status="failed", error=backup_error(done))
        return
    taken = [b for b in info(settings, config).get("backup", []) if b["label"] not in before]
    if not taken:
        entry.update(status="failed", error="pgbackrest reported success but the repository lists no new backup")
        return
    describe(entry, taken[-1])
    entry["status"] = "ok"


def backup_error(done):
    """pgBackRest's reason in words that say what to do: a full disk and a held lock are the usual ones."""
    said = tail(done.stderr or done.stdout)
    if "No space left on device" in said:
        return repository_full(f"pgBackRest could not write to it ({said})")
    if "unable to acquire lock" in said:
        return f"another pgBackRest command held the repository's lock (a backup, expiry or stanza change in progress); try again when it ends: {said}"
    return f"pgbackrest backup failed (exit {done.returncode}): {said}"


def describe(entry, backup):
    entry["label"] = backup["label"]
    entry["kind"] = backup["type"]
    entry["sizeBytes"] = backup["info"]["size"]
    entry["repositoryBytes"] = backup["info"]["repository"]["delta"]
    entry["startTime"] = iso(datetime.datetime.fromtimestamp(backup["timestamp"]["start"], datetime.timezone.utc))
    entry["stopTime"] = iso(datetime.datetime.fromtimestamp(backup["timestamp"]["stop"], datetime.timezone.utc))
    entry["walStart"] = backup["archive"]["start"]
    entry["walStop"] = backup["archive"]["stop"]
    entry["prior"] = backup.get("prior")


def tls_of(settings):
    from .settings import split_tls
    return split_tls(settings.tls_bundle)


def check(settings, entry):
    """Restores the backup into a throwaway cluster, recovers it to its consistent point and reads every table."""
    scratch = f"{SCRATCH_ROOT}/check-{entry['label']}"
    shutil.rmtree(scratch, ignore_errors=True)
    config = write_config(settings, "local", pg_path=scratch)
    clock = time.monotonic()
    instance = Instance(scratch, f"check-{entry['id']}")
    result = {"status": "failed", "at": now_iso()}
    try:
        progress("check", f"restoring backup {entry['label']} into a throwaway cluster to check it")
        run(["pgbackrest", f"--config={config}", f"--stanza={settings.stanza}", f"--set={entry['label']}", "--type=immediate",
             "--target-action=promote", "--archive-mode=off", f"--pg1-path={scratch}", "restore"])
        instance.start()
        instance.wait_promoted(1800)
        progress("check", "reading every table of every database")
        summaries = fingerprint_instance(instance)
        tables, rows = totals(summaries)
        result.update(databases=len(summaries), tables=tables, rows=rows,
                      perDatabase={name: {"tables": len(s["tables"]), "rows": sum(t["rows"] for t in s["tables"].values())} for name, s in summaries.items()})
        if tables == 0:
            result.update(status="empty", error="the restored backup holds no table in any database: there is nothing to restore")
        else:
            result["status"] = "passed"
    except Failure as failure:
        result["error"] = failure.message
    finally:
        instance.remove()
        result["durationSeconds"] = round(time.monotonic() - clock, 1)
    entry["check"] = result
    save_entry(entry)
    say(f"check of {entry['label']}: {result['status']}{'' if 'error' not in result else ' - ' + result['error']}")
    return entry


def check_pending(settings):
    """Checks every backup that was taken but not checked yet (oldest first)."""
    for entry in sorted(read_catalog()["backups"], key=lambda b: b["started"]):
        if entry["status"] == "ok" and entry["check"]["status"] == "pending":
            with locked("backup", wait_seconds=3600):
                # Read again under the lock: the job that took it may have checked it meanwhile.
                current = next((b for b in read_catalog()["backups"] if b["id"] == entry["id"]), None)
                if current is not None and current["status"] == "ok" and current["check"]["status"] == "pending":
                    check(settings, current)


def expire(settings):
    """Removes the backup sets no retention point keeps (hourly for a day, daily for a week, weekly for four weeks)."""
    catalog = read_catalog()
    keep = kept_labels(catalog["backups"], now(), settings.retention)
    config = write_config(settings, "repository", tls=tls_of(settings))
    listed = sorted(info(settings, config).get("backup", []), key=lambda b: b["timestamp"]["stop"])
    # Only sets the catalog knows as good are ever expired (never one Ward did not take or could not describe), and
    # never the newest. Expiring a full set also removes the differential sets made from it: so a full goes only when
    # none of its sets is kept.
    known = {b["label"] for b in catalog["backups"] if b["status"] == "ok" and b.get("label")}
    gone = set()
    for backup in listed[:-1]:
        label = backup["label"]
        dependants = [b["label"] for b in listed if b.get("prior") == label or label in (b.get("reference") or [])]
        if label in gone or label not in known or label in keep or any(d in keep for d in dependants):
            continue
        done = run(["pgbackrest", f"--config={config}", f"--stanza={settings.stanza}", f"--set={label}", "expire"], check=False)
        if done.returncode == 0:
            say(f"expired backup {label} (no retention point keeps it)")
            gone.update([label, *dependants])
            mark_expired(gone)
        else:
            say(f"could not expire {label}: {tail(done.stderr)}")


def mark_expired(labels):
    def change(catalog):
        for backup in catalog["backups"]:
            if backup.get("label") in labels:
                backup["status"] = "expired"
    update_catalog(change)


def kept_labels(backups, moment, retention):
    """The labels kept: the newest good backup of each hour, day and week within the retention, and the newest of all."""
    good = sorted((b for b in backups if b["status"] == "ok" and b.get("label")), key=lambda b: b["stopTime"])
    keep = set()
    if good:
        keep.add(good[-1]["label"])
    buckets = [
        (retention.get("hourly", 24), datetime.timedelta(hours=1), lambda t: t.strftime("%Y%m%d%H")),
        (retention.get("daily", 7), datetime.timedelta(days=1), lambda t: t.strftime("%Y%m%d")),
        (retention.get("weekly", 4), datetime.timedelta(weeks=1), lambda t: "%d-%02d" % t.isocalendar()[:2]),
    ]
    for count, width, bucket_of in buckets:
        newest = {}
        for backup in good:
            stop = parse_time(backup["stopTime"])
            if moment - stop <= count * width:
                newest[bucket_of(stop)] = backup["label"]
        keep.update(newest.values())
    return keep


def listing(settings):
    """The catalog joined with the repository's view: what Ward shows for `ward db backups`."""
    catalog = read_catalog()
    document = {"backups": sorted(catalog["backups"], key=lambda b: b["started"], reverse=True),
                "skipped": catalog.get("skipped", []), "scheduler": catalog.get("scheduler", {}), "repository": {}}
    try:
        config = write_config(settings, "repository", tls=tls_of(settings))
        stanza = info(settings, config)
        archives = stanza.get("archive", [])
        document["repository"] = {
            "status": stanza.get("status", {}).get("message"),
            "walMin": archives[-1].get("min") if archives else None,
            "walMax": archives[-1].get("max") if archives else None,
        }
    except Failure as failure:
        document["repository"] = {"status": failure.message}
    usage = os.statvfs(REPOSITORY_ROOT)
    document["repository"].update(totalBytes=usage.f_blocks * usage.f_frsize, freeBytes=usage.f_bavail * usage.f_frsize)
    return document
