"""What a database holds, summed up so that two copies can be compared: per table its row count and a content checksum
(the sum of a 64-bit hash of every row), its sequences, extensions and owners.

A row's hash is hash_record_extended (PostgreSQL 14 and later): every column hashed by its type's own hash function,
from the stored value, with no text made. A table whose columns include a type without one (point, json, xml, ...), or
a source older than 14, is summed from the rows turned into text instead, with fixed settings (time zone, date and
float formats), so the same rows give the same sum on any server. The method each table was summed with is recorded,
and the copy is summed the same way. The sum does not depend on the order the rows are read in, so no sort is needed.
"""
import psycopg2
from psycopg2 import sql

from .pg import databases

# Settings that decide how values print: the same on both sides of a comparison.
SESSION = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex'"

USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'"


# Per method, the query that sums one table: (rows, checksum as text). The row is t.*, never t alone, which would be
# the table's own column t if it has one.
SUMS = {
    "row": "SELECT count(*), coalesce(sum(hash_record_extended(t.*, 0)), 0)::text FROM ONLY {}.{} t",
    "text": "SELECT count(*), coalesce(sum(hashtextextended((t.*)::text, 0)), 0)::text FROM ONLY {}.{} t",
}


def table_sum(conn, cur, schema, table, method=None):
    """(rows, checksum, method): by the method given, or by row hashes when the table's types allow, else by text."""
    if method is not None:
        cur.execute(sql.SQL(SUMS[method]).format(sql.Identifier(schema), sql.Identifier(table)))
        return (*cur.fetchone(), method)
    # A failed statement aborts a transaction (the source's snapshot): try inside a savepoint there.
    savepoint = not conn.autocommit
    if savepoint:
        cur.execute("SAVEPOINT ward_sum")
    try:
        rows, checksum, _ = table_sum(conn, cur, schema, table, "row")
        if savepoint:
            cur.execute("RELEASE SAVEPOINT ward_sum")
        return rows, checksum, "row"
    except psycopg2.Error:
        # No hash_record_extended (before PostgreSQL 14), or a column type without a hash function: by text. Any
        # other failure happens again there, and is raised.
        if savepoint:
            cur.execute("ROLLBACK TO SAVEPOINT ward_sum")
        return table_sum(conn, cur, schema, table, "text")


def fingerprint(conn, progress=None, like=None):
    """
    Tables (rows and checksum), sequences, extensions and owners of the database conn is connected to; like: another
    fingerprint whose tables are summed by the same methods (the source's, when summing its copy).
    """
    with conn.cursor() as cur:
        cur.execute(SESSION)
        cur.execute(f"""
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'm') AND {USER_SCHEMAS} ORDER BY 1, 2""")
        tables = cur.fetchall()
        summary = {"tables": {}, "sequences": {}, "extensions": {}, "owners": {}}
        for index, (schema, table) in enumerate(tables):
            name = f"{schema}.{table}"
            method = ((like or {}).get("tables", {}).get(name) or {}).get("method")
            rows, checksum, method = table_sum(conn, cur, schema, table, method)
            summary["tables"][name] = {"rows": rows, "checksum": checksum, "method": method}
            if progress and index % 20 == 19:
                progress(index + 1, len(tables))
        cur.execute(f"""
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'S' AND {USER_SCHEMAS} ORDER BY 1, 2""")
        for schema, sequence in cur.fetchall():
            cur.execute(sql.SQL("SELECT last_value, is_called FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(sequence)))
            last, called = cur.fetchone()
            summary["sequences"][f"{schema}.{sequence}"] = [int(last), bool(called)]
        cur.execute("SELECT extname, extversion FROM pg_extension ORDER BY 1")
        summary["extensions"] = dict(cur.fetchall())
        cur.execute(f"""
            SELECT CASE c.relkind WHEN 'S' THEN 'sequence ' WHEN 'v' THEN 'view ' ELSE 'table ' END || n.nspname || '.' || c.relname,
                   pg_get_userbyid(c.relowner)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {USER_SCHEMAS}
            UNION ALL
            SELECT 'schema ' || n.nspname, pg_get_userbyid(n.nspowner) FROM pg_namespace n WHERE {USER_SCHEMAS}
            ORDER BY 1""")
        summary["owners"] = dict(cur.fetchall())
    return summary


def fingerprint_instance(instance):
    """Every database of a running throwaway cluster, fingerprinted: {database: fingerprint}."""
    with instance.connect("postgres") as conn:
        names = databases(conn)
    summaries = {}
    for name in names:
        with instance.connect(name) as conn:
            summaries[name] = fingerprint(conn)
    return summaries


def totals(summaries):
    """Tables and rows over several databases' fingerprints."""
    tables = sum(len(s["tables"]) for s in summaries.values())
    rows = sum(t["rows"] for s in summaries.values() for t in s["tables"].values())
    return tables, rows


def first_difference(source, target):
    """The first way the target differs from the source, in words, or None when they are the same."""
    for table, expected in source["tables"].items():
        found = target["tables"].get(table)
        if found is None:
            return f"table {table} ({expected['rows']} rows) is missing from the restored database"
        if found["rows"] != expected["rows"]:
            return f"table {table}: {expected['rows']} rows in the source, {found['rows']} restored"
        if found["checksum"] != expected["checksum"]:
            return f"table {table}: the same {expected['rows']} rows in number, but their content differs (checksum {expected['checksum']} in the source, {found['checksum']} restored)"
    for table in target["tables"]:
        if table not in source["tables"]:
            return f"table {table} is in the restored database but not in the source"
    for sequence, expected in source["sequences"].items():
        found = target["sequences"].get(sequence)
        if found != expected:
            return f"sequence {sequence}: {describe_sequence(expected)} in the source, {describe_sequence(found)} restored"
    for extension, version in source["extensions"].items():
        found = target["extensions"].get(extension)
        if found != version:
            return f"extension {extension} {version} in the source, {'missing' if found is None else found} restored"
    for item, owner in source["owners"].items():
        found = target["owners"].get(item)
        if found != owner:
            return f"{item} is owned by {owner} in the source, by {found or 'nobody (missing)'} restored"
    return None


def describe_sequence(value):
    if value is None:
        return "missing"
    last, called = value
    return f"at {last}" + ("" if called else " (not yet used)")
