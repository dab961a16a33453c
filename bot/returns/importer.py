"""Turn a plan table (Improvement summary | Milestones | Monitoring process | ...)
from Word, Excel or CSV into a plan file.

Header names are matched loosely, as people write them. KPIs are split out of
the summary cell after a "KPIs:" line; bullets, numbering and blank rows are
ignored; a row that only continues the item above is added to it. Whatever
cannot be placed is reported, never dropped or guessed silently; guesses that
were made (a title made from a summary, the plan year from the title) are
reported too, as things to check. Leads and people are left as a marked section
to fill in.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.core.errors import BadInput
from bot.core.wording import clip, counted
from bot.returns.tables import Grid, GridRow, read_grids
from storage.plan_yaml import MAX_PLAN_BYTES
from storage.planfile import PlanFileError, parse_plan

SUMMARY, MILESTONES, MONITORING, PROGRESS, KPIS, LEAD, NUMBER = (
    "summary", "milestones", "monitoring", "progress", "kpis", "lead", "number"
)
QUOTED = 60  # a cell quoted in a finding: enough to recognise it
REQUIRED = (SUMMARY,)
"""An item needs only its title (and a number and a lead, made or asked for when missing)."""
OPTIONAL = {
    LEAD: "each item's lead is left to fill in: give `lead:` under each item, a person from `people:`",
    MILESTONES: "no milestones or their dates were imported: add them under each item's `milestones:` (with `due:` dates) "
    "so leads are asked about them as they fall due",
    MONITORING: "no monitoring lines were imported: add them under each item's `monitoring:` if the quarterly return "
    "should show how each item is monitored",
    KPIS: "no KPIs were imported (none in their own column, none after 'KPIs:' in a summary): add them under each "
    "item's `kpis:` so updates can report progress on them",
}
"""The plan's other columns: what their absence means, and the fix, reported by the import."""
COLUMN_NAMES = {
    SUMMARY: "Improvement summary",
    MILESTONES: "Milestones",
    MONITORING: "Monitoring process",
    PROGRESS: "Area Lead progress update",
    KPIS: "KPIs",
    LEAD: "Lead",
    NUMBER: "No.",
}
# Checked in this order: "Area Lead progress update" is the progress column, not a lead column.
KEYWORDS = (
    (PROGRESS, ("progress", "update", "updates", "status", "rag", "commentary", "comments")),
    (MILESTONES, ("milestone", "milestones")),
    (MONITORING, ("monitoring", "monitor", "monitored")),
    (SUMMARY, ("summary", "improvement", "improvements", "objective", "objectives", "action", "actions", "description", "recommendation")),
    (KPIS, ("kpi", "kpis", "measures", "indicators", "indicator", "targets")),
    (LEAD, ("lead", "owner", "responsible", "officer")),
    (NUMBER, ("no", "number", "ref", "item")),
)
BULLET_CHARS = "•▪◦●■‣⁃·○►➢✓-*–"
_BULLET = re.compile(rf"^(?:[{re.escape(BULLET_CHARS)}]|\(?\d{{1,2}}[.)]|\(?[a-z][.)])\s+", re.IGNORECASE)
_INLINE_BULLETS = re.compile(r"\s*[•▪◦●■‣⁃○►➢]\s*")
_KPI_MARKER = re.compile(r"(?:^|\s)(?:KPIs?|Key performance indicators?)\s*[:\-–]\s*|^(?:KPIs?|Key performance indicators?)$", re.IGNORECASE)
_ITEM_NUMBER = re.compile(r"^(?:item\s*)?#?(\d{1,4})\s*[.):]\s*(.*)$|^item\s*(\d{1,4})\s+(.*)$", re.IGNORECASE)
_DUE = re.compile(r"\s*\((?:due|by)\s+([^)]+)\)\s*$", re.IGNORECASE)
_YEARS = re.compile(r"\b(20\d\d)\s*[-/–]\s*(20\d\d|\d\d)\b")
_YEAR = re.compile(r"\b(20\d\d)\b")
DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%B %Y", "%b %Y")
TITLE_WORDS = 12
# Left as a comment on purpose: until it is filled in, `plan check` says "people[0].name: is missing".
PLACEHOLDER = "# name: FILL IN the person's name, then remove the '#' at the start of this line"


@dataclass
class ImportedItem:
    number: int
    title: str
    summary: str | None
    where: str
    lead: str | None = None
    kpis: list[str] = field(default_factory=list)
    milestones: list[tuple[str, dt.date | None]] = field(default_factory=list)
    monitoring: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    yaml_text: str
    items: list[ImportedItem]
    unplaced: list[str]
    check: list[str]
    to_fill: list[str]

    def counts(self) -> str:
        kpis = sum(len(i.kpis) for i in self.items)
        milestones = sum(len(i.milestones) for i in self.items)
        lines = sum(len(i.monitoring) for i in self.items)
        return ", ".join(
            [
                counted(len(self.items), "item"),
                counted(kpis, "KPI"),
                counted(milestones, "milestone"),
                counted(lines, "monitoring line"),
            ]
        )


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9#]+", " ", text.lower()).split()


def column_role(header: str) -> str | None:
    """What a header names, forgiving case, punctuation, plurals and small typos."""
    words = _words(header)
    if not words:
        return None
    for role, keys in KEYWORDS:
        if role == NUMBER and len(words) > 2:
            continue
        for word in words:
            if word in keys or (len(word) >= 6 and difflib.get_close_matches(word, keys, n=1, cutoff=0.85)):
                return role
    return None


def _find_header(grids: list[Grid], source: str) -> tuple[Grid, int, dict[int, str]]:
    """The first row naming an item column and at least one other of the plan's columns
    (a lead, KPIs, milestones...), with each column's role."""
    best: tuple[Grid, int, dict[int, str]] | None = None
    for grid in grids:
        for index, row in enumerate(grid.rows[:60]):
            roles: dict[int, str] = {}
            for column in sorted(row.cells):
                role = column_role(row.text(column))
                if role is not None and role not in roles.values():
                    roles[column] = role
            if len(roles) >= 2:
                if all(r in roles.values() for r in REQUIRED):
                    return grid, index, roles
                best = best or (grid, index, roles)
    wanted = " | ".join(COLUMN_NAMES[r] for r in (SUMMARY, MILESTONES, MONITORING, PROGRESS))
    if best is None:
        raise BadInput(
            f"{source}: I couldn't find the plan table. Its header row should name the columns, like: {wanted}."
        )
    grid, index, roles = best
    missing = [COLUMN_NAMES[r] for r in REQUIRED if r not in roles.values()]
    found = ", ".join(f"'{grid.rows[index].text(c)}'" for c in sorted(roles))
    raise BadInput(
        f"{source}: the table in {grid.name} has no {' or '.join(repr(m) for m in missing)} column "
        f"(its header row, {grid.rows[index].label}, has {found}). "
        f"Add a column for the items (the improvement or action each row is about), or rename its header, "
        f"so the table reads like: {wanted}."
    )


def _split_lines(text: str) -> list[str]:
    """A cell's entries: one per line, also split at bullet characters inside a line."""
    out: list[str] = []
    for line in text.splitlines():
        for part in _INLINE_BULLETS.split(line):
            part = _BULLET.sub("", part.strip()).strip()
            if part:
                out.append(" ".join(part.split()))
    return out


def _parse_date(text: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _milestone(text: str) -> tuple[str, dt.date | None]:
    match = _DUE.search(text)
    if match:
        due = _parse_date(match[1])
        if due is not None:
            return text[: match.start()].strip(), due
    return text, None


def _made_title(summary: str) -> str:
    words = summary.split()
    title = " ".join(words[:8]).rstrip(".,;:–-")
    return title + ("…" if len(words) > 8 else "")


class _Reader:
    def __init__(self, source: str, roles: dict[int, str], header: GridRow, width: int) -> None:
        self.source = source
        self.roles = roles
        self.header = header
        self.width = width
        self.items: list[ImportedItem] = []
        self.unplaced: list[str] = []
        self.check: list[str] = []
        self.progress_cells = 0

    def column_of(self, role: str) -> int | None:
        return next((c for c, r in self.roles.items() if r == role), None)

    def text(self, row: GridRow, role: str) -> str:
        column = self.column_of(role)
        return "" if column is None else row.text(column)

    def place(self, row: GridRow) -> None:
        for column in sorted(row.cells):
            cell = row.cells[column]
            if not cell.covered and cell.text.strip() and cell.span >= self.width > 1:
                self.unplaced.append(f"{row.label}: '{clip(cell.text, QUOTED)}' spans the whole table (a heading?); not placed")
                return
        for column in sorted(row.cells):
            if column not in self.roles and row.text(column):
                header = self.header.text(column)
                name = f"column '{header}'" if header else f"column {column + 1} (no header)"
                self.unplaced.append(f"{row.label}, {name}: '{clip(row.text(column), QUOTED)}'")
        if self.text(row, PROGRESS):
            self.progress_cells += 1
        summary = self.text(row, SUMMARY)
        others = {role: self.text(row, role) for role in (MILESTONES, MONITORING, KPIS, LEAD, NUMBER)}
        if not summary and not any(others.values()):
            return
        starts_item = bool(summary) and (
            any(others[r] for r in (MILESTONES, MONITORING, KPIS))
            or bool(others[NUMBER])
            or bool(_ITEM_NUMBER.match(summary))
            or not self.items
        )
        if starts_item:
            for role in (MILESTONES, MONITORING, KPIS, LEAD):
                where = self.column_of(role)
                merged = row.cells.get(where) if where is not None else None
                if merged is not None and merged.covered and merged.above.strip() and not others[role]:
                    others[role] = merged.above
                    self.check.append(
                        f"{row.label}: the {COLUMN_NAMES[role]} cell is merged with the one above; "
                        "used its text for this item too"
                    )
            self.new_item(row, summary, others)
        else:
            self.continue_item(row, summary, others)

    def new_item(self, row: GridRow, summary: str, others: dict[str, str]) -> None:
        lines = _split_lines_keep_numbers(summary)
        number: int | None = None
        if others[NUMBER]:
            digits = re.search(r"\d{1,4}", others[NUMBER])
            number = int(digits[0]) if digits else None
        head: list[str] = []
        kpis: list[str] = []
        in_kpis = False
        for index, line in enumerate(lines):
            if index == 0 and (match := _ITEM_NUMBER.match(line)):
                found = int(match[1] or match[3])
                number = number or found
                line = (match[2] if match[1] else match[4]).strip()
                if not line:
                    continue
            if not in_kpis and (marker := _KPI_MARKER.search(line)):
                before, after = line[: marker.start()].strip(), line[marker.end():].strip()
                if before:
                    head.append(before)
                in_kpis = True
                if after:
                    kpis.extend(_split_lines(after))
                    if len(after.split()) > 12 and len(lines) == index + 1:
                        self.check.append(
                            f"{row.label}: the KPIs follow 'KPIs:' on one line ('{clip(after, QUOTED)}'); "
                            "kept as one KPI: split it in the file if it holds several"
                        )
                continue
            (kpis if in_kpis else head).append(_BULLET.sub("", line).strip())
        if number is None:
            number = (self.items[-1].number + 1) if self.items else 1
            self.check.append(f"{row.label}: no item number; numbered it {number}")
        title, text = self.title_and_summary(row, number, [h for h in head if h])
        item = ImportedItem(number=number, title=title, summary=text, where=row.label, kpis=[k for k in kpis if k])
        self.items.append(item)
        self.add_columns(item, others)

    def title_and_summary(self, row: GridRow, number: int, head: list[str]) -> tuple[str, str | None]:
        if len(head) >= 2:
            return head[0], " ".join(head[1:])
        if len(head) == 1 and len(head[0].split()) <= TITLE_WORDS:
            return head[0], None
        if len(head) == 1:
            title = _made_title(head[0])
            self.check.append(f"item {number} ({row.label}): title made from the start of its summary ('{title}'); edit it")
            return title, head[0]
        self.check.append(f"item {number} ({row.label}): no title or summary; called it 'Item {number}'")
        return f"Item {number}", None

    def add_columns(self, item: ImportedItem, others: dict[str, str]) -> None:
        item.kpis.extend(_split_lines(others[KPIS]))
        item.milestones.extend(_milestone(line) for line in _split_lines(others[MILESTONES]))
        item.monitoring.extend(_split_lines(others[MONITORING]))
        if others[LEAD]:
            lead = " ".join(others[LEAD].split())
            if item.lead and item.lead != lead:
                self.check.append(f"item {item.number}: two leads given ('{item.lead}', '{lead}'); kept the first")
            item.lead = item.lead or lead

    def continue_item(self, row: GridRow, summary: str, others: dict[str, str]) -> None:
        """A row with no new item in it: what it holds belongs to the item above."""
        if not self.items:
            for role, text in [(SUMMARY, summary), *others.items()]:
                if text:
                    self.unplaced.append(f"{row.label}, {COLUMN_NAMES[role]} column: '{clip(text, QUOTED)}' comes before any item")
            return
        item = self.items[-1]
        if summary:
            lines = _split_lines(summary)
            if item.kpis:
                item.kpis.extend(lines)
                self.check.append(
                    f"{row.label}: '{clip(summary, QUOTED)}' stands alone below item {item.number}; added to its KPIs"
                )
            else:
                self.unplaced.append(f"{row.label}, {COLUMN_NAMES[SUMMARY]} column: '{clip(summary, QUOTED)}'")
        self.add_columns(item, others)


def _split_lines_keep_numbers(text: str) -> list[str]:
    """The summary cell's lines: its first line's '3.' is the item number, not a bullet."""
    out: list[str] = []
    for line in text.splitlines():
        for part in _INLINE_BULLETS.split(line):
            if part.strip():
                out.append(" ".join(part.split()))
    return out


def _plan_year(title: str, today: dt.date) -> tuple[dt.date, dt.date, str]:
    if match := _YEARS.search(title):
        start = int(match[1])
        return dt.date(start, 4, 1), dt.date(start + 1, 3, 31), f"from '{match[0]}' in the title (April to March)"
    if match := _YEAR.search(title):
        year = int(match[1])
        return dt.date(year, 1, 1), dt.date(year, 12, 31), f"from '{match[0]}' in the title (a calendar year)"
    start = today.year if today.month >= 4 else today.year - 1
    return dt.date(start, 4, 1), dt.date(start + 1, 3, 31), "as this financial year: the title names no year"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "lead"


def _people(items: list[ImportedItem]) -> tuple[str, list[str]]:
    """The people section (with its banner) and what is left to fill in."""
    names: dict[str, str] = {}
    for item in items:
        if item.lead:
            names.setdefault(_slug(item.lead), item.lead)
            item.lead = _slug(item.lead)
    entries: list[dict[str, object]] = [{"id": pid, "name": name, "roles": ["lead"]} for pid, name in sorted(names.items())]
    fill: list[str] = []
    if any(item.lead is None for item in items):
        for item in items:
            item.lead = item.lead or "area-lead"
        entries.append({"id": "area-lead", "name": "", "roles": ["lead"]})
        fill.append("people: the name of 'area-lead', and each item's real lead (add one entry per person)")
    entries.append({"id": "coordinator", "name": "", "roles": ["coordinator"]})
    fill.append("people: the name of 'coordinator' (who runs the plan and may export the return)")
    fill.append("people: each person's email and their slack (user id) or teams id, so the bot can reach them")
    lines = [
        "# ====================================================================",
        "# TO FILL IN: people. `planbot plan import` cannot know who is who.",
        "# Give every person a name (and email, and slack or teams id), make sure",
        "# each item's `lead:` is one of these ids, then run `planbot plan check`:",
        "# until then it reports each missing name.",
        "# See docs/plan-format.md for every field.",
        "# ====================================================================",
        "people:",
    ]
    for entry in entries:
        lines.append(f"  - id: {entry['id']}")
        if entry["name"]:
            lines.append(f"    name: {yaml.safe_dump(entry['name'], allow_unicode=True).strip().removesuffix('...').strip()}")
        else:
            lines.append(f"    {PLACEHOLDER}")
        lines.append("    email:  # FILL IN, e.g. name@example.org")
        lines.append("    slack:  # FILL IN: Slack user id (U0123ABCD), or use teams:")
        lines.append(f"    roles: [{', '.join(entry['roles'])}]")  # type: ignore[arg-type]
    return "\n".join(lines), fill


def _dump(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)


def _render(title: str, year: tuple[dt.date, dt.date], items: list[ImportedItem], source: str, people: str) -> str:
    plan = {"plan": {"title": title, "year_start": year[0], "year_end": year[1]}}
    body = []
    for item in items:
        entry: dict[str, object] = {"number": item.number, "title": item.title}
        if item.summary:
            entry["summary"] = item.summary
        entry["lead"] = item.lead
        entry["kpis"] = list(item.kpis)
        entry["milestones"] = [text if due is None else {"text": text, "due": due} for text, due in item.milestones]
        entry["monitoring"] = list(item.monitoring)
        body.append(entry)
    return "\n".join(
        [
            f"# Imported from {source} by `planbot plan import`. Check it, fill in the",
            "# people section, then run `planbot plan check` on this file.",
            "",
            _dump(plan).rstrip(),
            "",
            people,
            "",
            _dump({"items": body}).rstrip(),
            "",
        ]
    )


def _later_problems(text: str, items: list[ImportedItem]) -> list[str]:
    """What `plan check` would still say once the people are filled in."""
    filled = text.replace(PLACEHOLDER, "name: Filled In")
    try:
        parse_plan(filled, "the imported plan")
    except PlanFileError as exc:
        return list(exc.problems)
    return []


def _fits_a_plan_file(name: str, items: list[ImportedItem]) -> None:
    """Refuse, before writing it out, a plan whose text alone is more than a plan file may hold
    (`plan check` would refuse the file, and writing megabytes of YAML takes minutes)."""
    size = sum(
        len(item.title.encode()) + len((item.summary or "").encode())
        + sum(len(k.encode()) for k in item.kpis)
        + sum(len(text.encode()) for text, _ in item.milestones)
        + sum(len(m.encode()) for m in item.monitoring)
        for item in items
    )
    if size > MAX_PLAN_BYTES:
        raise BadInput(
            f"{name}: the table's {counted(len(items), 'item')} hold {size / 1024 / 1024:.1f} MB of text; a plan file "
            f"may be at most {MAX_PLAN_BYTES // 1024 // 1024} MB. Is this the plan table?"
        )


def import_table(path: Path, *, today: dt.date) -> ImportResult:
    """Read the plan table in `path` into plan-file YAML and a report of what to check."""
    grids = read_grids(path)
    grid, header_index, roles = _find_header(grids, path.name)
    header = grid.rows[header_index]
    width = max((max(row.cells) + 1 for row in grid.rows if row.cells), default=0)
    width = min(width, max(roles) + 1)
    reader = _Reader(path.name, roles, header, width)
    if grid.cut:
        reader.check.append(f"{grid.cut} (a plan table is smaller: is the rest needed?)")
    for row in grid.rows[header_index + 1:]:
        reader.place(row)
    if not reader.items:
        raise BadInput(f"{path.name}: the table in {grid.name} has a header row but no items under it.")

    above = [text for text in grid.above] + [
        row.text(c) for row in grid.rows[:header_index] for c in sorted(row.cells) if row.text(c)
    ]
    title = next((line.splitlines()[0].strip() for line in above if line.strip()), "")
    if not title:
        title = path.stem.replace("-", " ").replace("_", " ").strip() or "Imported plan"
        reader.check.append(f"plan.title: no title above the table; called it '{title}'")
    start, end, how = _plan_year(title, today)
    reader.check.append(f"plan.year_start / year_end: {start} to {end}, {how}; check them")
    for role, meaning in OPTIONAL.items():
        if role not in roles.values() and not (role == KPIS and any(i.kpis for i in reader.items)):
            reader.check.append(f"no '{COLUMN_NAMES[role]}' column: {meaning}")
    if reader.progress_cells:
        reader.check.append(
            f"the {COLUMN_NAMES[PROGRESS]} column ({reader.progress_cells} cells with text) was not imported: "
            "updates are written through the bot, not kept in the plan file"
        )
    _fits_a_plan_file(path.name, reader.items)
    people, to_fill = _people(reader.items)
    text = _render(title, (start, end), reader.items, path.name, people)
    problems = _later_problems(text, reader.items)
    return ImportResult(
        yaml_text=text,
        items=reader.items,
        unplaced=reader.unplaced + [f"after filling in the people, plan check would still say: {p}" for p in problems],
        check=reader.check,
        to_fill=to_fill,
    )
