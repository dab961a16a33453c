"""Run the `planbot` command inside the test process: what it prints and returns.

A test about a command's output (its text, its exit code, what it stored) needs
the command's entry point, not a new interpreter: `bot.cli.main` runs with the
same environment a process would get (DATABASE_URL set, PLAN_FILE and platform
settings cleared, the settings read afresh), standard input from a string, and
standard output and error captured. An exception that escapes is printed as a
traceback with exit code 1, as the interpreter would, so a test that says
"no traceback" still means it. Warnings the command logs land in its stderr.

Tests about processes themselves (start-up, several at once, signals, pipes)
use tests.processes instead.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.cli import main
from bot.config import get_settings
from tests.processes import ROOT, child_env


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """os.environ replaced by `env` for the call, and the cached settings with it."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    get_settings.cache_clear()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()


@contextlib.contextmanager
def _engines_disposed() -> Iterator[None]:
    """Close the command's database connections when it returns, as process exit would."""
    engines: set[Engine] = set()

    def seen(conn: sa.engine.Connection) -> None:
        engines.add(conn.engine)

    sa.event.listen(Engine, "engine_connect", seen)
    try:
        yield
    finally:
        sa.event.remove(Engine, "engine_connect", seen)
        for engine in engines:
            engine.dispose()


@contextlib.contextmanager
def _logged_to(stream: io.StringIO) -> Iterator[None]:
    """What the command logs goes to its stderr, in the format `main` configures."""
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)


def planbot(
    *args: str, database_url: str, stdin: str = "", extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`planbot ARGS` with the same environment tests.processes.planbot gives a process."""
    stdout, stderr = io.StringIO(), io.StringIO()
    stdin_stream = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    with (
        _environment(child_env(database_url, extra_env)),
        contextlib.chdir(ROOT),
        _engines_disposed(),
        _logged_to(stderr),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        saved_stdin, sys.stdin = sys.stdin, stdin_stream
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = _exit_code(exit_.code, stderr)
        except Exception:  # the interpreter prints it and exits 1
            traceback.print_exc(file=stderr)
            code = 1
        finally:
            sys.stdin = saved_stdin
    return subprocess.CompletedProcess(["planbot", *args], code, stdout.getvalue(), stderr.getvalue())


def _exit_code(code: object, stderr: io.StringIO) -> int:
    """SystemExit's code as the process's exit status (a message means 1, printed)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=stderr)
    return 1
