"""The generated plan the benchmarks load: many items of ordinary size, so each bench
measures the same plan shape and differs only in its years and history."""

from __future__ import annotations

from storage.planfile import PlanDocument

ITEMS = 50
LEADS = 10
KPIS = 3
MILESTONES = 3


def lead_of(item: int) -> str:
    """The lead of an item: leads take the items in turn."""
    return f"lead-{(item - 1) % LEADS + 1:02d}"


def plan_document(
    *, title: str, year_start: str, year_end: str, period_months: int = 3, deputy_every: int | None = None
) -> PlanDocument:
    """ITEMS items with KPIS KPIs, MILESTONES milestones and two monitoring lines each, LEADS
    leads and one coordinator; every `deputy_every`-th item has the next lead as its deputy."""
    people = [{"id": f"lead-{n:02d}", "name": f"Lead Number{n:02d}", "roles": ["lead"]} for n in range(1, LEADS + 1)]
    people.append({"id": "coord", "name": "Coordinator Person", "roles": ["coordinator"]})
    items = [
        {
            "number": n,
            "title": f"Improvement item {n} with a title of ordinary length",
            "summary": f"What item {n} is meant to improve, in a sentence or two as the plan would say it.",
            "lead": lead_of(n),
            "deputy": f"lead-{n % LEADS + 1:02d}" if deputy_every and n % deputy_every == 0 else None,
            "kpis": [f"KPI {k} of item {n}: a measurable thing" for k in range(1, KPIS + 1)],
            "milestones": [{"text": f"Milestone {m} of item {n}", "due": f"2019-{3 * m:02d}-28"} for m in range(1, MILESTONES + 1)],
            "monitoring": [f"CLGU/SELEP – monitoring line {k} for item {n}" for k in (1, 2)],
        }
        for n in range(1, ITEMS + 1)
    ]
    year = {"title": title, "year_start": year_start, "year_end": year_end, "period_months": period_months}
    return PlanDocument.model_validate({"plan": year, "people": people, "items": items})
