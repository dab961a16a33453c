"""DATABASE_URL checked before anything connects, and database failures explained in
one line that names DATABASE_URL and the fix. A password never appears in either:
every URL shown is masked, even one too malformed to parse.

Planbot runs on SQLite (a file) and PostgreSQL. An in-memory SQLite database is
refused: each command would say "Saved" and keep nothing.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_PASSWORD = r"(?P<password>(?:(?!://)[^\n'\"])*?)@(?=[^@\s'\"]*(?:[\s'\"]|$))"
_CREDENTIALS = [
    re.compile(r"(?<![\w@.%-])(?P<head>[a-zA-Z][\w+.-]*://[^:/@\s'\"()]*:)" + _PASSWORD),
    re.compile(r"(?<![\w@.%/:-])(?P<head>[a-zA-Z][\w+.-]*:)(?!//)" + _PASSWORD),
    re.compile(r"(?P<head>//[^:/@\s'\"()]*:)" + _PASSWORD),
]
"""USER:PASSWORD@HOST in any shape: scheme://user:pw@host; a scheme alone before the password
(postgres:pw@host: all of it after the colon); //user:pw@host without the scheme's colon;
spaces or an unencoded @ in the password (up to the last @ before the URL ends)."""
_SECRET_PARAMS = re.compile(r"(?i)(?P<key>[?&;]\s*(?:password|passwd|pwd|pass|secret|token|sslpassword)\s*=)[^&\s'\"]*")
KNOWN = {"sqlite", "postgres", "postgresql"}
DRIVERS = {"sqlite": {"", "pysqlite"}, "postgres": {"", "psycopg"}, "postgresql": {"", "psycopg"}}
"""The drivers Planbot installs: psycopg 3 for PostgreSQL, Python's own sqlite3."""
_ENCODE = "write it percent-encoded: @ as %40, : as %3A, / as %2F, a space as %20"
FOREIGN = {"mysql": "MySQL", "mariadb": "MariaDB", "mssql": "SQL Server", "oracle": "Oracle", "mongodb": "MongoDB"}
EXAMPLES = "sqlite:///planbot.db for a file here, or postgresql://USER:PASSWORD@HOST:5432/DATABASE"


def mask(text: str) -> str:
    """`text` with the password of every URL in it replaced by ***, whatever the URL's shape."""
    for pattern in _CREDENTIALS:
        text = pattern.sub(r"\g<head>***@", text)
    return _SECRET_PARAMS.sub(r"\g<key>***", text)


def check_database_url(url: str) -> str:
    """The URL if Planbot can use it; else ValueError saying what is wrong and what to write."""
    shown = mask(url)
    if "://" not in url:
        raise ValueError(f"'{shown}' is not a database URL; use {EXAMPLES}")
    scheme = url.split("://", 1)[0].lower()
    backend, _, driver = scheme.partition("+")
    if backend not in KNOWN:
        what = f"a {FOREIGN[backend]} URL" if backend in FOREIGN else "not a kind of database Planbot knows"
        raise ValueError(f"'{shown}' is {what}; Planbot uses SQLite or PostgreSQL: {EXAMPLES}")
    if driver not in DRIVERS[backend]:
        plain = f"{backend}://{url.split('://', 1)[1]}"
        raise ValueError(
            f"'{shown}' asks for the driver '{driver}', which Planbot does not use (it connects with "
            f"{'psycopg 3' if backend != 'sqlite' else 'Python’s sqlite3'}); write {mask(plain)}"
        )
    authority = url.split("://", 1)[1].split("/", 1)[0]
    if backend == "sqlite" and authority:
        raise ValueError(
            f"'{shown}' names a user, password or host, which an SQLite URL never has: it names a file, "
            "e.g. sqlite:///planbot.db (three slashes, then the path)"
        )
    if authority.count("@") > 1 or (" " in authority and "@" in authority):
        raise ValueError(f"'{shown}' has an @ or a space inside its user name or password; {_ENCODE}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        raise ValueError(f"'{shown}' is malformed (is the port a number?); it should look like {EXAMPLES}") from None
    if backend == "sqlite" and _in_memory(url):
        raise ValueError(
            f"'{shown}' is an in-memory database, which keeps nothing once the command ends; "
            "give a file, e.g. sqlite:///planbot.db"
        )
    if backend != "sqlite" and not parts.hostname and "host=" not in (parts.query or ""):
        raise ValueError(f"'{shown}' names no host; it should look like {EXAMPLES}")
    return url


def _in_memory(url: str) -> bool:
    rest = url.split("://", 1)[1]
    path = rest.split("?", 1)[0].lstrip("/")
    query = rest.split("?", 1)[1] if "?" in rest else ""
    return path in {"", ":memory:"} or path.startswith("file::memory:") or "mode=memory" in query


def explain(exc: BaseException, url: str) -> str | None:
    """One line for a database failure a user can fix (can't connect, wrong user, missing
    database, read-only, disk full), naming DATABASE_URL; None for anything else."""
    orig = getattr(exc, "orig", None) or exc
    problem = _sqlite_problem(orig, url) if url.lower().startswith("sqlite") else _postgres_problem(orig, url)
    if problem is None:
        return None
    return mask(f"DATABASE_URL ({url}): {problem}")


def _sqlite_file(url: str) -> str:
    path = url.split("://", 1)[1].split("?", 1)[0]
    path = path[1:] if path.startswith("/") else path
    return path.removeprefix("file:")


def _sqlite_problem(orig: BaseException, url: str) -> str | None:
    path = _sqlite_file(url)
    if isinstance(orig, OSError) and not hasattr(orig, "sqlite_errorcode"):
        where = str(orig.filename or "")
        if not where or not path.startswith(where):
            return None  # not the database's own folder
        return (
            f"can't create {where} ({orig.strerror or orig}); point DATABASE_URL at a file in a folder you can write to."
        )
    code = getattr(orig, "sqlite_errorcode", None)
    if code is None:
        return None
    match code & 0xFF:  # SQLite's primary result codes
        case 8:
            return (
                f"the database {path} is read-only, so nothing can be saved; commands that only read (export, schedule, "
                "/plan-status) still work. Make the file and its folder writable, or use a writable copy."
            )
        case 13:
            return f"the disk holding {path} is full, so nothing was saved; free some space and run the command again."
        case 14:
            return f"can't open {path}: check that its folder exists and that you may write there."
        case 26:
            return f"{path} is not a Planbot database (not SQLite, or damaged); point DATABASE_URL at another file."
        case 5:
            return "the database stayed locked by another Planbot process for 10 s; try again in a moment."
        case 10:
            return f"reading or writing {path} failed ({orig}); check the disk, then try again."
    return None


def _postgres_problem(orig: BaseException, url: str) -> str | None:
    module = type(orig).__module__
    if not module.startswith("psycopg"):
        return None
    parts = urlsplit(url)
    host, db = parts.hostname or "localhost", parts.path.lstrip("/") or "(none)"
    try:
        port = parts.port or 5432
    except ValueError:
        port = 5432
    text = str(orig).lower()
    state = getattr(orig, "sqlstate", None)
    if state == "3D000" or "does not exist" in text and "database" in text:
        return f"the database '{db}' does not exist on {host}; create it (createdb {db}) or fix its name."
    if state in {"28P01", "28000"} or "password authentication failed" in text or ("role" in text and "does not exist" in text):
        return f"{host} refused the user name or password; check them (and that the user may connect to '{db}')."
    if state == "42501" or "permission denied" in text:
        return (
            "the database user may not write here, so nothing was saved; commands that only read (export, schedule, "
            "/plan-status) still work. Grant it write access, or use a user that has it."
        )
    if state == "53100" or "no space left" in text:
        return f"the server's disk is full, so nothing was saved; free some space on {host} and try again."
    if "connection refused" in text:
        return f"nothing is listening on {host} port {port}; is PostgreSQL running there, and is the port right?"
    if any(w in text for w in ("could not translate host name", "name or service not known", "nodename nor servname", "failed to resolve")):
        return f"the host '{host}' is unknown; check its spelling."
    if any(w in text for w in ("timeout", "timed out", "no route to host", "network is unreachable", "ssl negotiation", "server closed")):
        return f"{host} port {port} does not answer as a PostgreSQL server; check the host, the port and the network."
    if module.startswith("psycopg") and type(orig).__name__ == "OperationalError":
        return f"could not connect: {str(orig).splitlines()[0]}"
    return None
