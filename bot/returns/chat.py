"""`/plan-status export [PERIOD] [FORMAT]`: the quarterly return from chat, for coordinators.

The file is written under the exports folder and handed back as a File block,
so each adapter delivers it its own way (Slack upload, Teams attachment, the
terminal prints the path).
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.errors import NotAllowed
from bot.core.replies import File, Paragraph, Reply
from bot.returns.export import FORMAT_NAMES, export_return, format_from
from storage.queries import people


def export_reply(ctx: Context, args: str) -> list[Reply]:
    """Parse '[PERIOD] [FORMAT]' in either order; the words that name no format are the period."""
    if not ctx.person.is_coordinator:
        coordinators = ", ".join(p.name for p in people(ctx.session) if p.is_coordinator) or "a coordinator"
        raise NotAllowed(f"Only coordinators can export the quarterly return. Ask {coordinators} for it.")
    words = args.split()
    formats = [f for f in (format_from(w) for w in words) if f]
    period = " ".join(w for w in words if format_from(w) is None) or None
    fmt = formats[-1] if formats else "docx"
    ret, paths = export_return(ctx.session, period=period, fmt=fmt, produced=ctx.today, path=None, folder=ctx.exports_dir)
    received = len(ret.rows) - ret.missing_count
    blocks: list[Paragraph | File] = [
        Paragraph(
            f"The quarterly return for {ret.period_label}: {received} of {len(ret.rows)} items have an update"
            + (f", {ret.missing_count} without." if ret.missing_count else ".")
        ),
        File(str(paths[0]), f"Quarterly return {ret.period_key} ({FORMAT_NAMES[fmt]})"),
    ]
    blocks += [File(str(extra), f"RAG chart {ret.period_key} (PNG)") for extra in paths[1:]]
    return [Reply(list(blocks))]
