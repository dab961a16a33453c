"""The Web API's arguments, from Slack's published OpenAPI description where it lists the
method, and by hand (from Slack's method reference) for the newer methods it lacks.

The published description predates some arguments Slack's reference documents today
(``metadata``, ``markdown_text``, ``prevent_creation``...); `LATER_ARGUMENTS` adds those so
that a correct call is not reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Each method's arguments and content types, extracted from the published description
# (slackapi/slack-api-specs, MIT licence) so the suite does not need the 1 MB original.
METHODS_PATH = Path(__file__).with_name("web_api_methods.json")

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class MethodSpec:
    """What a Web API method accepts."""

    name: str
    required: frozenset[str]
    optional: frozenset[str]
    consumes: frozenset[str]
    from_description: bool

    @property
    def known(self) -> frozenset[str]:
        return self.required | self.optional


# Newer methods the published description does not list, per Slack's method reference.
HAND_WRITTEN: dict[str, MethodSpec] = {
    "files.getUploadURLExternal": MethodSpec(
        "files.getUploadURLExternal",
        required=frozenset({"filename", "length"}),
        optional=frozenset({"alt_txt", "snippet_type"}),
        consumes=frozenset({FORM}),
        from_description=False,
    ),
    "files.completeUploadExternal": MethodSpec(
        "files.completeUploadExternal",
        required=frozenset({"files"}),
        optional=frozenset({"channel_id", "channels", "initial_comment", "thread_ts", "blocks"}),
        consumes=frozenset({FORM}),
        from_description=False,
    ),
    "apps.connections.open": MethodSpec(
        "apps.connections.open",
        required=frozenset(),
        optional=frozenset(),
        consumes=frozenset({FORM}),
        from_description=False,
    ),
}

# Arguments Slack documents today that the published description predates.
LATER_ARGUMENTS: dict[str, frozenset[str]] = {
    "chat.postMessage": frozenset({"metadata", "markdown_text", "unfurl_links", "unfurl_media"}),
    "chat.update": frozenset({"metadata", "reply_broadcast", "file_ids", "markdown_text"}),
    "chat.postEphemeral": frozenset({"markdown_text"}),
    "conversations.open": frozenset({"prevent_creation"}),
    "conversations.history": frozenset({"include_all_metadata"}),
    "views.open": frozenset({"interactivity_pointer"}),
    "views.push": frozenset({"interactivity_pointer"}),
}


@cache
def _described() -> dict[str, dict]:
    return json.loads(METHODS_PATH.read_text())["methods"]


@cache
def method_spec(method: str) -> MethodSpec | None:
    """The method's arguments, or None when Slack has no such method as far as we know."""
    if method in HAND_WRITTEN:
        return HAND_WRITTEN[method]
    described = _described().get(method)
    if described is None:
        return None
    return MethodSpec(
        method,
        required=frozenset(described["required"]),
        optional=frozenset(described["optional"]) | LATER_ARGUMENTS.get(method, frozenset()),
        consumes=frozenset(described["consumes"] or [FORM]),
        from_description=True,
    )
