"""The Teams app package: the manifest valid against the shipped schema, the
command list in step with the core's commands, icons of the sizes Teams wants."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from bot.cli import main
from bot.core.command_names import NAMES
from bot.teams.package import MANIFEST_DIR
from bot.teams.syntax import TEAMS
from tests.teams_fake.connector import REFERENCE

APP_ID = "0a1b2c3d-1111-4222-8333-444455556666"


def manifest_problems(manifest: dict) -> list[str]:
    schema = json.loads((REFERENCE / "MicrosoftTeams.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(manifest)]


def test_the_shipped_manifest_is_valid_and_offers_every_command_as_teams_types_it() -> None:
    manifest = json.loads((MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8"))

    assert manifest_problems(manifest) == []
    [bot] = manifest["bots"]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    personal = next(c for c in bot["commandLists"] if c["scopes"] == ["personal"])
    assert {c["title"] for c in personal["commands"]} == {TEAMS.typed(n) for n in NAMES}


def test_package_fills_in_the_app_id_and_zips_manifest_and_icons_at_the_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "planbot.zip"

    assert main(["teams", "package", "-o", str(out), "--app-id", APP_ID]) == 0

    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert manifest_problems(manifest) == []
    assert color.size == (192, 192) and outline.size == (32, 32)
    rgba = outline.convert("RGBA")
    pixels = [rgba.getpixel((x, y)) for x in range(32) for y in range(32)]
    pixels = [p for p in pixels if p[3]]
    assert pixels and all(p[:3] == (255, 255, 255) for p in pixels), "the outline icon is white on transparent"


def test_package_without_a_usable_app_id_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEAMS_APP_ID", raising=False)
    from bot.config import get_settings

    get_settings.cache_clear()
    assert main(["teams", "package", "-o", str(tmp_path / "p.zip")]) == 2
    assert "TEAMS_APP_ID" in capsys.readouterr().err
    assert main(["teams", "package", "-o", str(tmp_path / "p.zip"), "--app-id", "my-bot"]) == 2
    assert "not a GUID" in capsys.readouterr().err
    assert not (tmp_path / "p.zip").exists()
