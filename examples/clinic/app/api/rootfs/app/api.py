"""The clinic's JSON API: patients and their appointment reminders, kept in PostgreSQL.

GET  /health         the process answers (for the healthcheck)
GET  /api/patients   the latest patients
POST /api/patients   {"name": "..."}: a patient, and an appointment tomorrow whose reminder is pending
GET  /api/stats      counts, and which task answered (there are several replicas)

Settings come from the environment: DB_HOST, DB_PORT, DB_NAME, DB_USER and DB_PASSWORD_FILE (a
Docker secret). No state is kept here, so any replica can answer any request.
"""
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2

PORT = int(os.environ.get("PORT", "8081"))
SCHEMA = """
CREATE TABLE IF NOT EXISTS patients (
    id         serial PRIMARY KEY,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS appointments (
    id               serial PRIMARY KEY,
    patient_id       integer NOT NULL REFERENCES patients(id),
    at               timestamptz NOT NULL,
    reminder_sent_at timestamptz
);
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
        application_name="clinic-api",
    )


def query(sql, args=(), one=False):
    """Runs one statement in its own transaction, on a new connection: simple, and it survives
    database restarts and failovers without any pool to repair."""
    conn = connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, args)
            rows = cur.fetchall() if cur.description else []
    finally:
        conn.close()
    return (rows[0] if rows else None) if one else rows


def create_schema():
    """Creates the tables, retrying until the database is up (it may start after the API).
    Replicas start together, so they take turns (an advisory lock): concurrent
    CREATE TABLE IF NOT EXISTS can still collide."""
    delay = 1
    while True:
        try:
            query("SELECT pg_advisory_xact_lock(4242);" + SCHEMA)
            print("api: schema ready", flush=True)
            return
        except psycopg2.Error as e:
            print(f"api: database not ready ({str(e).strip()}); retrying in {delay} s", flush=True)
            time.sleep(delay)
            delay = min(delay * 2, 15)


def who():
    return {"task": os.environ.get("TASK_NAME", ""), "hostname": socket.gethostname()}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.safely(self.get)

    def do_POST(self):
        self.safely(self.post)

    def get(self):
        if self.path == "/health":
            # The process answers: that is all. Failing on a database outage would only make
            # Swarm restart every replica, which does not bring the database back.
            return self.reply(200, {"status": "ok", **who()})
        if self.path == "/api/patients":
            rows = query("SELECT id, name, created_at FROM patients ORDER BY id DESC LIMIT 100")
            return self.reply(200, [{"id": i, "name": n, "created_at": c.isoformat()} for i, n, c in rows])
        if self.path == "/api/stats":
            patients, appointments, pending = query(
                """SELECT (SELECT count(*) FROM patients), (SELECT count(*) FROM appointments),
                          (SELECT count(*) FROM appointments WHERE reminder_sent_at IS NULL)""", one=True)
            return self.reply(200, {"patients": patients, "appointments": appointments,
                                    "reminders_pending": pending, "reminders_sent": appointments - pending,
                                    "answered_by": who()})
        self.reply(404, {"error": "not found"})

    def post(self):
        if self.path != "/api/patients":
            return self.reply(404, {"error": "not found"})
        try:
            length = min(int(self.headers.get("Content-Length", "0")), 10_000)
            name = str(json.loads(self.rfile.read(length) or b"{}").get("name", "")).strip()
        except (ValueError, AttributeError):
            return self.reply(400, {"error": 'send JSON: {"name": "..."}'})
        if not 1 <= len(name) <= 200:
            return self.reply(400, {"error": "name must be 1 to 200 characters"})
        # The patient and an appointment tomorrow, whose reminder the worker will send.
        patient_id, created = query(
            """WITH p AS (INSERT INTO patients (name) VALUES (%s) RETURNING id, created_at),
                    a AS (INSERT INTO appointments (patient_id, at) SELECT id, now() + interval '1 day' FROM p)
               SELECT id, created_at FROM p""", (name,), one=True)
        self.reply(201, {"id": patient_id, "name": name, "created_at": created.isoformat()})

    def safely(self, handler):
        try:
            handler()
        except psycopg2.Error as e:
            print(f"api: database error: {str(e).strip()}", flush=True)
            self.reply(503, {"error": "database unavailable"})

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        if getattr(self, "path", "") != "/health":  # healthchecks every few seconds would drown the log
            print(f"api: {self.address_string()} {fmt % args}", flush=True)


if __name__ == "__main__":
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    # Answer /health at once, while the schema waits for the database in the background: a
    # healthcheck that fails while the database starts would only make Swarm restart the API.
    threading.Thread(target=create_schema, daemon=True).start()
    print(f"api: listening on :{PORT}", flush=True)
    server.serve_forever()
