"""ward-db: what runs inside Ward's database image.

  ward-db server                       the database's task (PostgreSQL, WAL archiving, pgBackRest's TLS server)
  ward-db health                       the database's healthcheck
  ward-db status                       the running database's facts, as JSON (Ward reads it through exec)
  ward-db repository                   the backup repository's task (TLS server, schedule, checks, expiry)
  ward-db backups                      the repository's catalog, as JSON (Ward reads it through exec)
  ward-db backup KIND [TRIGGER]        job: take a backup (full, diff or auto) and check it
  ward-db restore ID TARGET [into]     job: restore to TARGET (an ISO time, or latest) beside the live cluster
  ward-db swap ID                      job: make restore ID the database's cluster (the database is stopped)
  ward-db rehearse [plain]             job: the migration rehearsal from WARD_SOURCE_FILE (plain: the benchmark's reference)

Jobs report with "ward-progress" and "ward-result" lines (see common.py) and exit 0 when they succeeded.
"""
import errno
import json
import sys
import traceback

from .common import Failure, now_iso, result, say


def job(work):
    started = now_iso()
    try:
        document = work()
        result({"ok": True, "started": started, "finished": now_iso(), **document})
        return 0
    except Failure as failure:
        say(failure.message)
        result({"ok": False, "started": started, "finished": now_iso(), "code": failure.code, "error": failure.message})
        return 1
    except Exception as e:  # noqa: BLE001 - a bug must still end the job with a result Ward can show.
        if isinstance(e, OSError) and e.errno == errno.ENOSPC:
            message = f"the disk is full: no space left to write {e.filename or 'what ward-db writes'} (a full backup repository: free space on its volume, or give it a larger one)"
            say(message)
            result({"ok": False, "started": started, "finished": now_iso(), "code": "disk-full", "error": message})
            return 1
        traceback.print_exc()
        result({"ok": False, "started": started, "finished": now_iso(), "code": "internal", "error": f"internal error in ward-db: {type(e).__name__}: {e}"})
        return 70


def main(argv):
    verb = argv[0] if argv else "server"
    args = argv[1:]
    if verb == "server":
        from . import server
        try:
            return server.serve()
        except Failure as failure:
            say(failure.message)
            return 64
    if verb == "health":
        from . import server
        return server.health()
    if verb == "status":
        from . import server
        return server.status()
    if verb == "repository":
        from . import repository
        try:
            return repository.serve()
        except Failure as failure:
            say(failure.message)
            return 64
    if verb == "backups":
        from . import backups, settings
        print(json.dumps(backups.listing(settings.Settings())))
        return 0
    if verb == "backup":
        from . import backups, settings

        def work():
            s = settings.Settings()
            return {"backup": backups.take(s, args[0] if args else "auto", args[1] if len(args) > 1 else "manual")}
        return job(work)
    if verb == "restore":
        from . import restore
        return job(lambda: restore.restore(args[0], args[1], len(args) > 2 and args[2] == "into"))
    if verb == "swap":
        from . import restore
        return job(lambda: restore.swap(args[0]))
    if verb == "rehearse":
        from . import rehearse
        return job(lambda: rehearse.rehearse(plain=bool(args) and args[0] == "plain"))
    say(f"unknown command {verb!r}; see the top of {__file__}")
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
