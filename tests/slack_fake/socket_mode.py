"""Slack's side of Socket Mode: the WebSocket that apps.connections.open points to. It says
``hello`` on connect, pushes envelopes (``events_api``, ``slash_commands``, ``interactive``)
and waits for the client's ack, and can tell the client to reconnect (``disconnect``).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from tests.slack_fake.blockkit import message_problems, view_ack_problems

ENVELOPE_TYPES = ("events_api", "slash_commands", "interactive")


class SocketModeServer:
    """The connected Socket Mode clients, the envelopes sent and the acks received."""

    def __init__(self, app_id: str, problem: Callable[[str], None]) -> None:
        self.app_id = app_id
        self._problem = problem
        self.sockets: list[web.WebSocketResponse] = []
        self.connections = 0
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._sent: dict[str, dict[str, Any]] = {}
        self.acks: list[dict[str, Any]] = []
        self._tickets: set[str] = set()

    def clear(self) -> None:
        """Forget acks received and the count of connections (open connections stay)."""
        self.acks = []
        self.connections = 0

    @property
    def connected(self) -> bool:
        return any(not ws.closed for ws in self.sockets)

    def issue_ticket(self) -> str:
        """A one-use ticket for the WebSocket URL apps.connections.open hands out."""
        ticket = str(uuid.uuid4())
        self._tickets.add(ticket)
        return ticket

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            self._problem("socket mode: connected without a fresh URL from apps.connections.open (tickets are single use)")
            return web.Response(status=401, text="invalid_ticket")
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        self.connections += 1
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self.sockets),
                "debug_info": {"host": "fake-slack", "build_number": 1, "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id},
            }
        )
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._receive(message.data)
        finally:
            if ws in self.sockets:
                self.sockets.remove(ws)
        return ws

    def _receive(self, data: str) -> None:
        try:
            ack = json.loads(data)
        except ValueError:
            self._problem(f"socket mode: the client sent something that is not JSON: {data[:80]!r}")
            return
        envelope_id = ack.get("envelope_id") if isinstance(ack, dict) else None
        future = self._acks.pop(str(envelope_id), None)
        envelope = self._sent.pop(str(envelope_id), None)
        if future is None or envelope is None:
            self._problem(f"socket mode: ack for an unknown or already acknowledged envelope {envelope_id!r}")
            return
        self.acks.append(ack)
        for problem in _ack_problems(envelope, ack):
            self._problem(f"socket mode {envelope['type']} ack: {problem}")
        if not future.done():
            future.set_result(ack)

    async def push(self, envelope: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        """Send ``envelope`` to the newest connection and wait for its ack."""
        live = [ws for ws in self.sockets if not ws.closed]
        if not live:
            raise AssertionError("no Socket Mode client is connected to the fake Slack")
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope["envelope_id"]] = future
        self._sent[envelope["envelope_id"]] = envelope
        await live[-1].send_json(envelope)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self._acks.pop(envelope["envelope_id"], None)
            self._sent.pop(envelope["envelope_id"], None)
            self._problem(f"socket mode: no ack for the {envelope['type']} envelope within {timeout} s")
            return None

    async def disconnect(self, reason: str) -> None:
        """Ask every client to reconnect, as Slack does before it refreshes a connection."""
        for ws in [ws for ws in self.sockets if not ws.closed]:
            await ws.send_json({"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-slack"}})

    async def close_all(self) -> None:
        for ws in list(self.sockets):
            await ws.close()

    @staticmethod
    def envelope(envelope_type: str, payload: dict[str, Any], retry_attempt: int = 0) -> dict[str, Any]:
        if envelope_type not in ENVELOPE_TYPES:
            raise ValueError(f"envelope type must be one of {ENVELOPE_TYPES}")
        envelope: dict[str, Any] = {
            "envelope_id": str(uuid.uuid4()),
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
        }
        if envelope_type == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = "timeout" if retry_attempt else ""
        return envelope


def _ack_problems(envelope: dict[str, Any], ack: dict[str, Any]) -> list[str]:
    """What Slack would refuse in an ack's payload (a slash command's answer, a modal's
    response_action)."""
    payload = ack.get("payload")
    if payload is None:
        return []
    if not envelope.get("accepts_response_payload"):
        return ["this envelope takes no response payload (Slack ignores it)"]
    if not isinstance(payload, dict):
        return ["payload must be a JSON object"]
    inner = envelope.get("payload") or {}
    if envelope["type"] == "interactive" and inner.get("type") == "view_submission":
        return view_ack_problems(payload, inner.get("view") or {})
    return message_problems(payload, require_text=False) if ("text" in payload or "blocks" in payload) else []
