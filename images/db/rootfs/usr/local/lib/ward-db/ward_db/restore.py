"""Point-in-time restores, run as a job on the node whose volume receives the restore.

The restore is made beside the live cluster (restored-ID/ on the database's volume, or on a new database's volume),
recovered to the target time and promoted by a throwaway server, read in full (row counts and checksums), then shut
down cleanly and marked complete (restored-ID.done). Until Ward swaps it in (while the database is stopped), the live
cluster is untouched and keeps serving; a restore that fails, or is abandoned, leaves only a folder the next one
removes.
"""
import datetime
import os
import re
import shutil
import time

from .checks import fingerprint_instance, totals
from .common import DATA_ROOT, Failure, now_iso, parse_time, progress, run, write_json_atomically
from .pg import Instance
from .server import swap_in
from .settings import Settings, split_tls, write_config

RECOVERY_LINE = re.compile(r"recovery stopping|last completed transaction|redo done|selected new timeline|consistent recovery state")
REPLAYED = re.compile(r"last completed transaction was at log time ([0-9: .+-]+)")


def restore(restore_id, target, into):
    settings = Settings()
    folder = f"{DATA_ROOT}/restored-{restore_id}"
    for leftover in os.listdir(DATA_ROOT):
        if leftover.startswith("restored-"):
            shutil.rmtree(f"{DATA_ROOT}/{leftover}", ignore_errors=True) if os.path.isdir(f"{DATA_ROOT}/{leftover}") else os.remove(f"{DATA_ROOT}/{leftover}")
    config = write_config(settings, "client", pg_path=folder, tls=split_tls(settings.tls_bundle))
    args = ["pgbackrest", f"--config={config}", f"--stanza={settings.stanza}", f"--pg1-path={folder}", "--archive-mode=off"]
    if target == "latest":
        args += ["--type=default"]
    else:
        # pgBackRest takes "YYYY-MM-DD HH:MM:SS.mmm+00", not ISO 8601's T and Z, and milliseconds at most: rounded up,
        # so that whatever committed at the time asked for is restored.
        moment = parse_time(target).astimezone(datetime.timezone.utc)
        moment += datetime.timedelta(microseconds=(1000 - moment.microsecond % 1000) % 1000)
        args += ["--type=time", f"--target={moment.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]}+00", "--target-action=promote"]
    clock = time.monotonic()
    progress("restore", f"restoring {settings.stanza} to {target} from the repository into {folder}")
    run(args + ["restore"])
    restored_seconds = time.monotonic() - clock

    progress("recover", "replaying the archived WAL up to the target, then promoting")
    instance = Instance(folder, f"restore-{restore_id}", {"shared_buffers": "256MB"})
    try:
        instance.start()
        instance.wait_promoted(3600)
        progress("verify", "reading every table of every database")
        summaries = fingerprint_instance(instance)
        log = open(instance.log, encoding="utf-8", errors="replace").read() if os.path.exists(instance.log) else ""
        replayed = REPLAYED.findall(log)
        recovery = [line.split("LOG:", 1)[-1].strip() for line in log.splitlines() if RECOVERY_LINE.search(line)]
    finally:
        instance.stop()
    mark_history_for_archiving(folder)
    tables, rows = totals(summaries)
    document = {
        "id": restore_id,
        "target": target,
        "restoredTo": replayed[-1].strip() if replayed else None,
        "recovery": recovery,
        "databases": {name: {"tables": len(s["tables"]), "rows": sum(t["rows"] for t in s["tables"].values()),
                             "checksums": {t: v["checksum"] for t, v in s["tables"].items()}} for name, s in summaries.items()},
        "tables": tables,
        "rows": rows,
        "restoreSeconds": round(restored_seconds, 1),
        "totalSeconds": round(time.monotonic() - clock, 1),
        "finished": now_iso(),
    }
    write_json_atomically(f"{folder}.done", document)
    if into:
        # A new database's volume has no live cluster: the restore becomes its cluster at once.
        swap_in(restore_id)
    return document


def mark_history_for_archiving(folder):
    """
    The restore promoted to a new timeline while archiving was off (a throwaway server must not push WAL), so the
    timeline's history file was never queued for the archive. Queued now, the database pushes it once it runs on
    this cluster: without it a later restore to "latest" or a time after this one would follow the old timeline and
    bring back the very writes this restore undid.
    """
    wal, status = f"{folder}/pg_wal", f"{folder}/pg_wal/archive_status"
    os.makedirs(status, exist_ok=True)
    for name in sorted(os.listdir(wal)):
        if name.endswith(".history") and not os.path.exists(f"{status}/{name}.done"):
            with open(f"{status}/{name}.ready", "w", encoding="utf-8"):
                pass


def swap(restore_id):
    if not os.path.exists(f"{DATA_ROOT}/restored-{restore_id}.done"):
        if os.path.isdir(f"{DATA_ROOT}/previous-{restore_id}") and not os.path.isdir(f"{DATA_ROOT}/restored-{restore_id}"):
            # Swapped by an earlier job (or finished by the database's start) whose follower was stopped.
            return {"id": restore_id, "swapped": True, "already": True}
        raise Failure("not-restored", f"restore {restore_id} is not complete on this volume; the database was left as it was")
    swap_in(restore_id)
    return {"id": restore_id, "swapped": True}
