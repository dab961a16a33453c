"""Point 7 of the trust issue: `planbot export -o` never overwrites without --force,
takes its format from the extension (refusing one it does not write), writes into a
folder it is given, creates no folders from a typo, and refuses what is not a file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from tests.in_process import planbot as run_planbot

QUARTER = ("--period", "q2", "--produced", "2019-10-02")


def export(db_url: str, *args: str) -> tuple[int, str, str]:
    result = run_planbot("export", *QUARTER, *args, database_url=db_url)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout, result.stderr.strip()


def test_an_existing_file_and_its_chart_are_kept_without_force(year_engine: Engine, db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "return.csv"
    out.write_text("mine", encoding="utf-8")
    (tmp_path / "return-heatmap.png").write_bytes(b"my chart")
    code, _, err = export(db_url, "-o", str(out))
    assert code == 1
    assert err == (
        f"planbot export: {out} and {tmp_path / 'return-heatmap.png'} already exist; "
        "choose another name or add --force to replace it."
    )
    assert out.read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "return-heatmap.png").read_bytes() == b"my chart"
    code, stdout, err = export(db_url, "-o", str(out), "--force")
    assert code == 0, err
    assert stdout.startswith(f"Wrote {out} (CSV file)")
    assert out.read_text(encoding="utf-8") != "mine"
    assert (tmp_path / "return-heatmap.png").read_bytes().startswith(b"\x89PNG")


def test_the_extension_picks_the_format_or_is_refused(year_engine: Engine, db_url: str, tmp_path: Path) -> None:
    for name in ("return.pdf", "return.txt"):
        code, _, err = export(db_url, "-o", str(tmp_path / name))
        assert code == 1
        assert err == (
            f"planbot export: -o {tmp_path / name} ends in {Path(name).suffix}, which is not a format I write "
            "(docx, xlsx, csv or md); name it like return.docx."
        )
    code, _, err = export(db_url, "--format", "xlsx", "-o", str(tmp_path / "return.pdf"))
    assert err.endswith("name it like return.xlsx.")
    code, stdout, err = export(db_url, "--format", "md", "-o", str(tmp_path / "plain"))
    assert code == 0, err
    assert stdout.startswith(f"Wrote {tmp_path / 'plain.md'} (Markdown file)")
    assert {"plain-heatmap.png", "plain.md"} <= {p.name for p in tmp_path.iterdir()}
    assert not any(p.suffix in {".pdf", ".txt"} for p in tmp_path.iterdir())


def test_a_folder_gets_the_default_name_and_a_typo_creates_nothing(year_engine: Engine, db_url: str, tmp_path: Path) -> None:
    code, stdout, err = export(db_url, "-o", str(tmp_path))
    assert code == 0, err
    assert stdout.startswith(f"Wrote {tmp_path / 'quarterly-return-2019-Q2.docx'} (Word document)")
    code, _, err = export(db_url, "-o", str(tmp_path))
    assert err == (
        f"planbot export: {tmp_path / 'quarterly-return-2019-Q2.docx'} already exists; "
        "choose another name or add --force to replace it."
    )
    typo = tmp_path / "reprots" / "q2.docx"
    code, _, err = export(db_url, "-o", str(typo))
    assert code == 1
    assert err == (
        f"planbot export: -o {typo}: the folder {typo.parent} does not exist; create it first, or check the path for a typo."
    )
    assert not typo.parent.exists()


def test_a_device_is_not_a_file(year_engine: Engine, db_url: str) -> None:
    code, _, err = export(db_url, "-o", "/dev/null")
    assert code == 1
    assert err == "planbot export: -o /dev/null is not a regular file; give a file name such as return.docx."
    assert not Path("/dev/null-heatmap.png").exists()


def test_a_symbolic_link_or_an_empty_name_is_refused_and_nothing_is_written(year_engine: Engine, db_url: str, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.csv"
    link = tmp_path / "return.csv"
    link.symlink_to(target)
    for args in (("-o", str(link)), ("-o", str(link), "--force")):
        code, _, err = export(db_url, *args)
        assert code == 1 and "is a symbolic link" in err
    assert not target.exists(), "nothing is written through the link"

    chart_link = tmp_path / "mine-heatmap.png"
    chart_link.symlink_to(tmp_path / "chart-elsewhere.png")
    code, _, err = export(db_url, "-o", str(tmp_path / "mine.md"))
    assert code == 1 and "is a symbolic link" in err and not (tmp_path / "chart-elsewhere.png").exists()

    result = run_planbot("export", *QUARTER, "-o", "", database_url=db_url)
    assert result.returncode == 2 and "is empty" in result.stderr
    assert not list(Path.cwd().glob("quarterly-return-*")), "no default file was written instead"
