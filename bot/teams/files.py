"""Handing a file over in a personal chat: Teams' file-consent card, then the
upload to the person's OneDrive once they accept, then a file card.

The card's context carries the file's name (for the person's eyes) and the offer's
one-time token (`bot.core.file_handover`): the accept is honoured only through the
token, whose stored offer names the file, looked up inside the exports folder. The
upload goes only to a SharePoint host (OneDrive for work is SharePoint), over https,
through the SDK's guarded session, which also refuses a name that resolves to a
private or loopback address.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from yarl import URL

from bot.core.replies import File
from bot.teams.service_urls import ServiceUrls, is_loopback

CONSENT = "application/vnd.microsoft.teams.card.file.consent"
INFO = "application/vnd.microsoft.teams.card.file.info"


UPLOAD_HOSTS = ("sharepoint.com", "sharepoint.us", "sharepoint-mil.us", "sharepoint.cn", "sharepoint.de")
"""Where Teams' file consent uploads go: the person's OneDrive for work, a SharePoint site
(commercial, US government, China and Germany clouds)."""


def upload_allowed(url: str, urls: ServiceUrls) -> bool:
    """An https URL on a SharePoint host, with no user name or odd port; loopback in local testing only."""
    if urls.allow_loopback and is_loopback(url):
        return True
    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        return False
    host = (parsed.host or "").lower().rstrip(".")
    return (
        parsed.scheme == "https"
        and parsed.user is None
        and parsed.explicit_port in (None, 443)
        and any(host.endswith("." + suffix) for suffix in UPLOAD_HOSTS)
    )


def consent_activity(file: File, token: str) -> dict[str, Any]:
    path = Path(file.path)
    size = path.stat().st_size if path.exists() else 0
    context = {"file": path.name, "offer": token}
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": CONSENT,
                "name": path.name,
                "content": {"description": file.title, "sizeInBytes": size, "acceptContext": context, "declineContext": context},
            }
        ],
    }


@dataclass(frozen=True)
class Consent:
    action: str
    token: str
    upload_url: str = ""
    content_url: str = ""
    unique_id: str = ""
    file_type: str = ""
    upload_name: str = ""


def read_consent(value: Any) -> Consent | None:
    if not isinstance(value, dict):
        return None
    context = value.get("context") if isinstance(value.get("context"), dict) else {}
    token = context.get("offer")
    action = value.get("action")
    if not isinstance(token, str) or not token or len(token) > 200 or action not in ("accept", "decline"):
        return None
    info = value.get("uploadInfo") if isinstance(value.get("uploadInfo"), dict) else {}
    return Consent(
        action,
        token,
        str(info.get("uploadUrl", "")),
        str(info.get("contentUrl", "")),
        str(info.get("uniqueId", "")),
        str(info.get("fileType", "")),
        str(info.get("name", "")),
    )


def exported(folder: Path, name: str) -> Path | None:
    """The export called `name` in `folder`, or None (a path, not just a name, is refused)."""
    if not name or "\x00" in name or len(name) > 255 or Path(name).name != name or name.startswith("."):
        return None
    try:
        path = (folder / name).resolve()
        return path if path.is_file() and path.parent == folder.resolve() else None
    except (OSError, ValueError):
        return None


async def upload(url: str, path: Path, urls: ServiceUrls) -> None:
    """PUT the file to the upload URL Teams gave. In production through the SDK's
    guarded session, which also refuses a Microsoft name that resolves to a private
    or loopback address; the local-testing configuration posts to its loopback fake."""
    data = path.read_bytes()
    headers = {"Content-Length": str(len(data)), "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"}
    session = aiohttp.ClientSession() if urls.allow_loopback else urls.client()
    async with session, session.put(url, data=data, headers=headers) as response:
        response.raise_for_status()


def info_activity(consent: Consent) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": INFO,
                "contentUrl": consent.content_url,
                "name": consent.upload_name,
                "content": {"uniqueId": consent.unique_id, "fileType": consent.file_type},
            }
        ],
    }
