"""The architecture as a checked contract: layers point one way (storage <- core <-
schedules and returns <- adapters, assembly and command line, with the plan's
periods below storage) and the core imports no chat SDK or web framework. The
contracts are in pyproject.toml; adapters add their packages to them."""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    report = capsys.readouterr().out
    assert code == 0, report
    assert "2 kept, 0 broken" in report
