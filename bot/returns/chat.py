"""`/plan-status export [PERIOD] [FORMAT]`: the plan's return from chat, for coordinators.

The file is written under the exports folder and handed back as a File block,
so each adapter delivers it its own way (Slack upload, Teams attachment, the
terminal prints the path).
"""

from __future__ import annotations

from bot.core.command_names import cmd
from bot.core.commands import status_form
from bot.core.context import Context
from bot.core.errors import NotAllowed, NotFound
from bot.core.replies import File, Paragraph, Reply
from bot.core.wording import or_list, return_name
from bot.core.text import excerpt
from bot.returns.export import FORMAT_NAMES, FORMATS, export_return, format_from
from bot.returns.periods import resolve_period
from storage.queries import people, plan_periods


def _check_period(ctx: Context, text: str) -> None:
    """A word that names neither a format nor a period ('pdf') gets both lists; 'Q7' reads as a
    period, so it gets the periods."""
    periods = plan_periods(ctx.session)
    try:
        resolve_period(periods, text)
    except NotFound:
        if any(ch.isdigit() for ch in text):
            raise
        keys = or_list([p.key for p in periods]) or "none (no plan is loaded)"
        example = f" For example: {cmd('plan-status')} export {periods[-1].key} xlsx." if periods else ""
        raise NotFound(
            f"I don't know '{excerpt(text)}' as a period or a file format. "
            f"Formats: {or_list(list(FORMATS))}. Periods: {keys}.{example}"
        ) from None


@status_form("export")
def export_reply(ctx: Context, args: str) -> list[Reply]:
    """Parse '[PERIOD] [FORMAT]' in either order; the words that name no format are the period."""
    name = return_name(ctx.plan)
    if not ctx.person.is_coordinator:
        coordinators = or_list([p.name for p in people(ctx.session) if p.is_coordinator]) or "a coordinator"
        raise NotAllowed(f"Only coordinators can export the {name}. Ask {coordinators} for it.")
    words = args.split()
    formats = [f for f in (format_from(w) for w in words) if f]
    period = " ".join(w for w in words if format_from(w) is None) or None
    if period is not None:
        _check_period(ctx, period)
    fmt = formats[-1] if formats else "docx"
    ret, paths = export_return(ctx.session, period=period, fmt=fmt, produced=ctx.today, path=None, folder=ctx.exports_dir)
    blocks: list[Paragraph | File] = [
        Paragraph(
            f"The {name} for {ret.period_label}: {ret.received_text}"
            + (f", {ret.missing_count} without." if ret.missing_count else ".")
        ),
        File(str(paths[0]), f"{ret.title} {ret.period_key} ({FORMAT_NAMES[fmt]})"),
    ]
    blocks += [File(str(extra), f"RAG chart {ret.period_key} (PNG)") for extra in paths[1:]]
    return [Reply(list(blocks))]
