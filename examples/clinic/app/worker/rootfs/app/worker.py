"""The clinic's background worker: every few seconds it sends the pending appointment reminders
(here: marks them sent) and touches /tmp/worker-alive, which its healthcheck reads.

Several replicas can run: each claims rows with FOR UPDATE SKIP LOCKED, so no reminder is sent twice.
Settings: DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD_FILE (a Docker secret), INTERVAL (seconds).
"""
import os
import pathlib
import socket
import time

import psycopg2

INTERVAL = float(os.environ.get("INTERVAL", "5"))
ALIVE = pathlib.Path("/tmp/worker-alive")
ME = os.environ.get("TASK_NAME") or socket.gethostname()

SEND_REMINDERS = """
UPDATE appointments SET reminder_sent_at = now()
 WHERE id IN (SELECT id FROM appointments WHERE reminder_sent_at IS NULL
               ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED)
RETURNING id, patient_id
"""


def connect():
    with open(os.environ.get("DB_PASSWORD_FILE", "/run/secrets/db_password")) as f:
        password = f.read().strip()
    return psycopg2.connect(
        host=os.environ.get("DB_HOST", "db"),
        port=int(os.environ.get("DB_PORT", "5432")),
        dbname=os.environ.get("DB_NAME", "records"),
        user=os.environ.get("DB_USER", "clinic"),
        password=password,
        connect_timeout=3,
        application_name="clinic-worker",
    )


def main():
    print(f"worker {ME}: sending reminders every {INTERVAL:g} s", flush=True)
    conn = None
    while True:
        # Alive means the loop turns, even while the database is away: restarting the worker would
        # not bring the database back.
        ALIVE.touch()
        try:
            if conn is None or conn.closed:
                conn = connect()
            with conn, conn.cursor() as cur:
                cur.execute(SEND_REMINDERS)
                for appointment, patient in cur.fetchall():
                    print(f"worker {ME}: reminder sent for appointment {appointment} (patient {patient})", flush=True)
        except psycopg2.errors.UndefinedTable:
            print(f"worker {ME}: no tables yet (the API creates them); waiting", flush=True)
        except psycopg2.Error as e:
            print(f"worker {ME}: database unavailable ({str(e).strip()}); retrying", flush=True)
            if conn is not None:
                conn.close()
            conn = None
        time.sleep(INTERVAL)


if __name__ == "__main__":
    main()
