"""The plan file: a YAML document validated into typed models.

Errors name the place in the file and the fix ("items[3].lead: no person 'jo'
(people are: ...)"), because the people writing plan files are coordinators,
not programmers.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from storage.coordinator_places import CoordinatorPlaces
from storage.models import Address, MessageHandle, Send
from storage.plan_yaml import MAX_PLAN_BYTES, RefusedYaml, load_yaml, too_big

BUNDLED_PLAN = Path(__file__).parent / "plans" / "selep-2019-20.yaml"

ROLES = ("lead", "coordinator")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def _length(column: Any) -> int:
    """A String column's size, as PostgreSQL enforces it (SQLite does not: checked here for both)."""
    return int(column.type.length)


_DAY = "@YYYY-MM-DD"
OCCURRENCE_ID_MAX = _length(Send.__table__.c.occurrence) - len(_DAY)
"""Meeting ids and milestone ids become ledger occurrences ('board@2019-06-20', 'm2@2019-09-30')."""
PERSON_ID_MAX = min(
    _length(Send.__table__.c.key)
    - _length(Send.__table__.c.kind)
    - _length(Send.__table__.c.occurrence)
    - len("|||-"),
    _length(MessageHandle.__table__.c.channel),
)
"""A person's sends are keyed 'kind|person|-|occurrence'; the terminal inbox is addressed by person id."""
PLATFORM_ID_MAX = _length(Address.__table__.c.user_id)
"""A plan's slack and teams ids are recorded as the person's address on that platform."""
MIN_YEAR, MAX_YEAR = 1900, 2199
MAX_PLAN_YEARS = 5
"""A plan 'year' may run up to five years (60 monthly periods): long enough for any plan, short
enough that the schedule of every send stays quick to work out."""


MAX_PROBLEMS_SHOWN = 50
"""A file with thousands of problems is shown its first fifty: enough to see what is wrong."""


class PlanFileError(ValueError):
    """A plan file that cannot be used, with one line per problem."""

    def __init__(self, problems: list[str], source: str = "plan file") -> None:
        self.problems = problems
        self.source = source
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        shown = problems[:MAX_PROBLEMS_SHOWN]
        if len(problems) > len(shown):
            shown = [*shown, f"... and {len(problems) - len(shown)} more; fix these and check again"]
        super().__init__(f"{source} has {count}:\n" + "\n".join(f"  {p}" for p in shown))


def _text(value: Any) -> Any:
    """Collapse runs of whitespace so YAML folding and copy-paste don't matter."""
    if isinstance(value, str):
        return " ".join(value.replace("\x00", "").split())
    return value


Text = Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=4000)]


def _clock_time(value: Any) -> Any:
    """YAML reads an unquoted 10:00 as the number 600 (base 60); refuse it rather than guess."""
    if isinstance(value, int | float):  # bool is an int too
        raise ValueError('write times in quotes, like "10:00" (unquoted, YAML reads 10:00 as a number)')
    return value


ClockTime = Annotated[dt.time, BeforeValidator(_clock_time)]


def _not_yes_no(value: Any) -> Any:
    """YAML reads true/yes/on as a yes/no value, which Python would take as the number 1."""
    if isinstance(value, bool):
        raise ValueError(f"write a number here, not {str(value).lower()} (a yes/no value)")
    return value


Whole = Annotated[int, BeforeValidator(_not_yes_no)]


def _id_shape(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(
            f"{_shown(value)} is not a usable id: use lower-case letters, digits, '-', '_' or '.' (e.g. 'sam-jones')"
        )
    return value


Id = Annotated[str, AfterValidator(_id_shape)]


def _at_most(limit: int) -> AfterValidator:
    """The column's size, checked here so SQLite refuses what PostgreSQL would."""

    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"is {len(value):,} characters long; at most {limit:,} fit where it is stored: shorten it")
        return value

    return AfterValidator(check)


PersonId = Annotated[str, _at_most(PERSON_ID_MAX), AfterValidator(_id_shape)]
OccurrenceId = Annotated[str, _at_most(OCCURRENCE_ID_MAX), AfterValidator(_id_shape)]
PlatformId = Annotated[str, _at_most(PLATFORM_ID_MAX)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class PlanInfo(_Strict):
    title: Text
    organisation: Text | None = None
    published: str | None = None
    year_start: dt.date
    year_end: dt.date
    timezone: str = "Europe/London"
    holidays: str = Field(
        default="GB-ENG",
        description="Bank-holiday calendar: a country code, optionally with a subdivision (GB-ENG, GB-SCT, IE).",
    )
    period_months: Annotated[Literal[1, 3, 6, 12], BeforeValidator(_not_yes_no)] = 3
    asks_of: Text | None = Field(
        default=None,
        description="Who leads send asks to (e.g. CLGU); the update asks 'Any blockers, or asks of CLGU?'.",
    )
    coordinators: CoordinatorPlaces | None = Field(
        default=None, description="The coordinators' channel or chat for briefs and Board summaries (else one DM each)."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone '{value}' (use an IANA name such as Europe/London)") from None
        return value

    @field_validator("holidays")
    @classmethod
    def _known_calendar(cls, value: str) -> str:
        import holidays

        country, _, subdiv = value.partition("-")
        try:
            holidays.country_holidays(country, subdiv=subdiv or None, years=2020)
        except (NotImplementedError, KeyError):
            raise ValueError(
                f"unknown bank-holiday calendar '{value}' (use a country code with an optional subdivision: GB-ENG, GB-SCT, GB-NIR, IE, US-NY)"
            ) from None
        return value

    @field_validator("year_start", "year_end")
    @classmethod
    def _sane_year(cls, value: dt.date) -> dt.date:
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValueError(f"{value} is not a plan date: use a year from {MIN_YEAR} to {MAX_YEAR}")
        return value

    @model_validator(mode="after")
    def _year_order(self) -> PlanInfo:
        if self.year_end <= self.year_start:
            raise ValueError(f"year_end ({self.year_end}) must be after year_start ({self.year_start})")
        if self.year_end >= _years_after(self.year_start, MAX_PLAN_YEARS):
            raise ValueError(
                f"the plan year runs from {self.year_start} to {self.year_end}; a plan may cover at most "
                f"{MAX_PLAN_YEARS} years (for a longer programme, give each stage a plan file of its own)"
            )
        return self


class PersonSpec(_Strict):
    id: PersonId
    name: Text
    email: str | None = None
    slack: PlatformId | None = None
    teams: PlatformId | None = None
    chat: Literal["slack", "teams"] | None = Field(
        default=None, description="The platform to reach them on when they are on both (slack or teams)."
    )
    roles: list[Literal["lead", "coordinator"]] = Field(default_factory=list)
    active: bool = True

    @field_validator("chat", mode="before")
    @classmethod
    def _lower_chat(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class KpiSpec(_Strict):
    id: OccurrenceId | None = None
    text: Text


class MilestoneSpec(_Strict):
    id: OccurrenceId | None = None
    text: Text
    due: dt.date | None = None


def _as_spec(value: Any) -> Any:
    """Let KPIs and milestones be written as bare strings."""
    return {"text": value} if isinstance(value, str) else value


class ItemSpec(_Strict):
    number: Whole = Field(ge=1, le=9999)
    title: Text
    summary: Text | None = None
    lead: str
    deputy: str | None = None
    kpis: list[Annotated[KpiSpec, BeforeValidator(_as_spec)]] = Field(default_factory=list)
    milestones: list[Annotated[MilestoneSpec, BeforeValidator(_as_spec)]] = Field(default_factory=list)
    monitoring: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _keys(self) -> ItemSpec:
        """Give KPIs and milestones stable keys: an explicit id, else their position."""
        for prefix, entries in (("kpi", self.kpis), ("m", self.milestones)):
            seen: set[str] = set()
            for position, entry in enumerate(entries, start=1):
                entry.id = entry.id or f"{prefix}{position}"
                if entry.id in seen:
                    raise ValueError(f"two entries share the id '{entry.id}'")
                seen.add(entry.id)
        return self


class Occurrence(_Strict):
    date: dt.date
    time: ClockTime | None = None
    agenda: Text | None = None


class MeetingSpec(_Strict):
    id: OccurrenceId
    title: Text
    kind: Literal["weekly-call", "board", "other"]
    weekday: Literal[WEEKDAYS] | None = None  # type: ignore[valid-type]
    time: ClockTime = dt.time(10, 0)
    duration_minutes: Whole = Field(default=60, ge=5, le=24 * 60)
    cancelled: list[dt.date] = Field(default_factory=list)
    occurrences: list[Occurrence] = Field(default_factory=list)

    @field_validator("weekday", mode="before")
    @classmethod
    def _lower_weekday(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _shape(self) -> MeetingSpec:
        if self.kind == "weekly-call" and self.weekday is None:
            raise ValueError("a weekly-call needs a weekday (monday ... friday)")
        if self.kind == "weekly-call" and self.occurrences:
            raise ValueError("a weekly-call repeats every week: give weekday and time, and list skipped dates under cancelled")
        if self.kind != "weekly-call" and not self.occurrences:
            raise ValueError(f"a {self.kind} meeting needs occurrences (a list of dates with optional agenda)")
        days = [occurrence.date for occurrence in self.occurrences]
        twice = sorted({day for day in days if days.count(day) > 1})
        if twice:
            listed = ", ".join(str(day) for day in twice)
            raise ValueError(
                f"occurrences: {listed} listed twice; a meeting meets once a day (give each date once, "
                "with one agenda)"
            )
        return self


class ScheduleSpec(_Strict):
    """When the clock prompts and chases; read by `schedules/`."""

    quarterly_prompt_working_days: Whole = Field(default=10, ge=0, le=60)
    chaser_every_working_days: Whole = Field(default=3, ge=1, le=30)
    chaser_max: Whole = Field(default=3, ge=0, le=20)
    pre_call_prompt_hours: Whole = Field(default=24, ge=1, le=24 * 7)
    pre_call_brief_hours: Whole = Field(default=1, ge=0, le=24 * 7)
    board_reminder_working_days: Whole = Field(default=5, ge=0, le=60)
    board_summary_working_days: Whole = Field(default=2, ge=0, le=60)
    milestone_due_hour: Whole = Field(default=9, ge=0, le=23)
    send_hour: Whole = Field(default=9, ge=0, le=23)
    grace_hours: Whole = Field(default=24, ge=0, le=24 * 14)


class PlanDocument(_Strict):
    plan: PlanInfo
    people: list[PersonSpec] = Field(min_length=1)
    items: list[ItemSpec] = Field(min_length=1)
    meetings: list[MeetingSpec] = Field(default_factory=list)
    schedule: ScheduleSpec = Field(default_factory=ScheduleSpec)

    def person(self, person_id: str) -> PersonSpec | None:
        return next((p for p in self.people if p.id == person_id), None)


def _loc(parts: tuple[int | str, ...]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith(("function-", "union[", "tagged-union[")) or part in ("literal", "json-or-python"):
            continue
        else:
            out += ("." if out else "") + part
    return out or "(top level)"


def _shown(value: Any) -> str:
    """The value as the person wrote it, shortened: a pasted paragraph stays readable,
    and a whole section given where a value belongs is named, not printed."""
    if isinstance(value, str) and len(value) > 60:
        value = value[:57] + "..."
    if isinstance(value, list | dict) and len(value) > 3:
        entries = "entries" if isinstance(value, list) else "fields"
        return f"a {'list' if isinstance(value, list) else 'section'} of {len(value)} {entries}"
    shown = repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _friendly(error: dict[str, Any]) -> str:
    kind = error["type"]
    message = error["msg"].removeprefix("Value error, ")
    if message.startswith("is ") and "fit where it is stored" in message:
        return f"{message} (got {_shown(error.get('input'))})"
    given = error.get("input")
    got = f" (got {_shown(given)})"
    last = next((str(p) for p in reversed(error["loc"]) if isinstance(p, str)), "")
    if kind == "missing":
        return "is missing"
    if kind == "extra_forbidden":
        return "is not a field this format knows (check the spelling; see docs/plan-format.md)"
    if kind.startswith("date_"):
        return f"write dates as YYYY-MM-DD, e.g. 2026-03-31{got}"
    if kind.startswith("time_"):
        return f'write times as "HH:MM" (24-hour clock, in quotes), e.g. "14:30"{got}'
    if given is None and kind == "list_type":
        return "has nothing under it: list its entries, one '- ' line each"
    if given is None and kind in ("string_type", "model_type", "dict_type"):
        return "is empty: write the text after the colon or dash"
    if kind == "list_type":
        return f"{message}: write one '- ' line per entry, or [first, second]{got}"
    if kind == "too_short":
        return "needs at least one entry"
    if kind in ("model_type", "dict_type") and last in ("kpis", "milestones"):
        what = "a KPI" if last == "kpis" else "a milestone"
        return f"write {what} as text (in quotes if it is only a number), or with fields text: and id:{got}"
    if kind == "string_type" and isinstance(given, int | float | bool):
        return f"{message}: put it in quotes, e.g. \"{given}\"{got}"
    if kind == "literal_error" or kind.startswith(
        ("int_", "bool_", "string_", "list_", "dict_", "model_", "greater_", "less_")
    ):
        return f"{message}{got}"
    return message


def _same(field: str, a: str | None, b: str) -> bool:
    """Emails match whatever their case (adapters link people by them); platform ids exactly."""
    if a is None:
        return False
    return a.casefold() == b.casefold() if field == "email" else a == b


def _cross_check(doc: PlanDocument) -> list[str]:
    """The checks that span sections: ids unique, leads known, roles consistent."""
    problems: list[str] = []
    ids = [p.id for p in doc.people]
    known = ", ".join(ids)
    seen_people: dict[str, int] = {}
    for index, person in enumerate(doc.people):
        if person.id in seen_people:
            problems.append(
                f"people[{index}].id: '{person.id}' is already used by people[{seen_people[person.id]}]; give each person their own id"
            )
        seen_people.setdefault(person.id, index)
        for field in ("slack", "teams", "email"):
            value = getattr(person, field)
            clash = next(
                (o.id for o in doc.people[:index] if value and _same(field, getattr(o, field), value)),
                None,
            )
            if clash:
                problems.append(f"people[{index}].{field}: '{value}' is also {clash}'s {field}; each person needs their own")
    seen_items: dict[int, int] = {}
    for index, item in enumerate(doc.items):
        if item.number in seen_items:
            problems.append(
                f"items[{index}].number: item {item.number} appears twice (also items[{seen_items[item.number]}]); "
                "each item needs its own number"
            )
        seen_items.setdefault(item.number, index)
        for field in ("lead", "deputy"):
            who = getattr(item, field)
            if who is None:
                continue
            person = doc.person(who)
            if person is None:
                guess = difflib.get_close_matches(who.lower(), ids, n=1)
                hint = f"; did you mean '{guess[0]}'?" if guess else ""
                problems.append(f"items[{index}].{field}: no person '{who}' (people are: {known}){hint}")
            elif field == "lead" and "lead" not in person.roles:
                problems.append(f"items[{index}].lead: '{who}' leads item {item.number} but lacks the role 'lead' in people")
    if not any("coordinator" in p.roles for p in doc.people):
        problems.append("people: nobody has the role 'coordinator'; at least one person must coordinate the plan")
    seen_meetings: set[str] = set()
    for index, meeting in enumerate(doc.meetings):
        if meeting.id in seen_meetings:
            problems.append(f"meetings[{index}].id: '{meeting.id}' appears twice")
        seen_meetings.add(meeting.id)
    return problems


_YAML_HINTS = (
    ("'\\t'", "indent with spaces, not tabs"),
    ("mapping values are not allowed", "if the text on this line contains ': ', put the text in quotes; otherwise check its indentation"),
    ("expected <block end>", "check the indentation: entries of one list or section must line up"),
    ("could not find expected ':'", "check the line above: a field needs 'name: value'"),
)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    if isinstance(exc, RefusedYaml):
        return f"{where}{problem}"
    hint = next((f"; {fix}" for needle, fix in _YAML_HINTS if needle in problem), "")
    return f"{where}not valid YAML ({problem}{hint})"


def _not_sections(raw: Any) -> str:
    if raw is None:
        return "(top level): the file is empty; a plan needs the sections plan, people and items (start from `planbot plan template`)"
    if isinstance(raw, list):
        return "(top level): the file is a list; a plan file is sections: plan:, people:, items: (see `planbot plan template`)"
    return (
        "(top level): this is not a plan file; it should start with the section plan: followed by people: "
        f"and items: (see `planbot plan template`; got {_shown(raw)})"
    )


def _unstorable(value: Any, where: tuple[int | str, ...]) -> Iterator[str]:
    """Text no database can store: a lone surrogate ("\\ud800" in quotes) cannot be
    encoded, and PostgreSQL refuses a NUL character in text."""
    if isinstance(value, str):
        if any("\ud800" <= ch <= "\udfff" for ch in value):
            yield f"{_loc(where)}: holds an escaped character that is not text (\\ud800 to \\udfff); remove it"
        elif "\x00" in value:
            yield f"{_loc(where)}: holds a NUL character (\\0), which cannot be stored; remove it"
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _unstorable(key, where)
            yield from _unstorable(inner, (*where, str(key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _unstorable(inner, (*where, index))


def plan_warnings(doc: PlanDocument) -> list[str]:
    """Dates the plan gives that fall outside its plan year: valid, but the clock never
    acts on them (no milestone question, no Board reminder), so the plan's author is told."""
    start, end = doc.plan.year_start, doc.plan.year_end
    year = f"the plan year ({start} to {end})"
    out: list[str] = []
    for index, item in enumerate(doc.items):
        for position, ms in enumerate(item.milestones):
            if ms.due is not None and not start <= ms.due <= end:
                out.append(
                    f"items[{index}].milestones[{position}].due: {ms.due} (item {item.number} milestone {ms.id}) "
                    f"is outside {year}; nobody will be asked about it"
                )
    for index, meeting in enumerate(doc.meetings):
        for position, occurrence in enumerate(meeting.occurrences):
            if not start <= occurrence.date <= end:
                out.append(
                    f"meetings[{index}].occurrences[{position}].date: {occurrence.date} ({meeting.title}) is outside "
                    f"{year}; no reminders or summaries will be sent for it"
                )
        for position, day in enumerate(meeting.cancelled):
            if not start <= day <= end:
                out.append(
                    f"meetings[{index}].cancelled[{position}]: {day} ({meeting.title}) is outside {year}; "
                    "there is no call to cancel then"
                )
    return out


def parse_plan(text: str, source: str = "plan file") -> PlanDocument:
    """Validate YAML text into a PlanDocument, or raise PlanFileError listing every problem."""
    refused = too_big(len(text.encode("utf-8", errors="replace")))
    if refused is not None:
        raise PlanFileError([refused], source)
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        raise PlanFileError([_yaml_problem(exc)], source) from None
    if not isinstance(raw, dict):
        raise PlanFileError([_not_sections(raw)], source)
    unstorable = list(_unstorable(raw, ()))
    if unstorable:
        raise PlanFileError(unstorable, source)
    try:
        doc = PlanDocument.model_validate(raw)
    except ValidationError as exc:
        raise PlanFileError([f"{_loc(e['loc'])}: {_friendly(e)}" for e in exc.errors()], source) from None
    problems = _cross_check(doc)
    if problems:
        raise PlanFileError(problems, source)
    return doc


_OFFICE_FILE = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def read_plan(path: str | Path) -> PlanDocument:
    """Read and validate a plan file from disk."""
    path = Path(path)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_PLAN_BYTES + 1)
    except FileNotFoundError:
        raise PlanFileError([f"no such file: {path}"], str(path)) from None
    except OSError as exc:
        raise PlanFileError([f"cannot read it: {exc.strerror}"], str(path)) from None
    if len(data) > MAX_PLAN_BYTES:
        size = path.stat().st_size if path.is_file() else len(data)
        raise PlanFileError([too_big(max(size, len(data))) or ""], str(path))
    if data.startswith(_OFFICE_FILE):
        raise PlanFileError(
            [
                (
                    "this is a Word or Excel file, not YAML text. To make a plan file from a Word or Excel "
                    "plan table, run: planbot plan import TABLE.docx -o plan.yaml"
                )
            ],
            str(path),
        )
    try:
        text = data.decode("utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else data.decode("utf-8")
    except UnicodeDecodeError:
        raise PlanFileError(["the file is not UTF-8 text; save it as UTF-8 YAML"], str(path)) from None
    return parse_plan(text, str(path))
