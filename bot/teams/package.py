"""The Teams app package: `teams/manifest.json` with the app id filled in, and
its two icons, zipped at the archive's root as Teams' admin centre expects."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

MANIFEST_DIR = Path(__file__).resolve().parents[2] / "teams"
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class PackageError(ValueError):
    """The package cannot be built; the message says what to fix."""


def manifest_for(app_id: str, folder: Path = MANIFEST_DIR) -> dict[str, Any]:
    if not GUID.match(app_id or ""):
        raise PackageError(f"the app id {app_id!r} is not a GUID: use the Azure Bot's Microsoft App ID (TEAMS_APP_ID)")
    path = folder / "manifest.json"
    if not path.is_file():
        raise PackageError(f"no manifest at {path}: run this from a checkout of Planbot, or pass --manifest-dir")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["id"] = app_id
    for bot in manifest.get("bots", []):
        bot["botId"] = app_id
    return manifest


def build_package(app_id: str, out: Path, folder: Path = MANIFEST_DIR) -> list[str]:
    """Write the zip; the names inside it."""
    manifest = manifest_for(app_id, folder)
    icons = [manifest["icons"]["color"], manifest["icons"]["outline"]]
    for icon in icons:
        if not (folder / icon).is_file():
            raise PackageError(f"the icon {icon} named in the manifest is missing from {folder}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in icons:
            archive.write(folder / icon, arcname=icon)
    return ["manifest.json", *icons]
