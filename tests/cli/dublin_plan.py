"""A plan that is not the bundled one: another organisation, Irish holidays,
six-month periods, an accented name, a coordinator listed before a lead whose
name sorts first. The tests that use it check what a newcomer with their own
plan would meet."""

from __future__ import annotations

from pathlib import Path

DUBLIN_PLAN = """\
plan:
  title: Digital Inclusion Action Plan 2025-26
  organisation: Cill Dara County Council
  year_start: 2025-04-01
  year_end: 2026-03-31
  timezone: Europe/Dublin
  holidays: IE
  period_months: 6

people:
  - id: niamh.o
    name: Niamh O'Brien
    roles: [coordinator]
  - id: seanr
    name: Seán Ó Ruairc
    roles: [lead]
  - id: aoife-m
    name: Aoife Murphy
    roles: [lead, coordinator]
  - id: karim
    name: Karim Haddad
    roles: [lead]

items:
  - number: 1
    title: Free public Wi-Fi in every library branch
    lead: seanr
    kpis:
      - Branches with public Wi-Fi (target 14 of 14)
    milestones:
      - text: Tender for Wi-Fi supplier awarded
        due: 2025-06-30
  - number: 2
    title: Multilingual online council services
    lead: karim
    kpis:
      - Forms translated (target 20)
    milestones:
      - text: Translation framework contract signed
        due: 2025-10-15

meetings:
  - id: dia-weekly
    title: Digital inclusion stand-up
    kind: weekly-call
    weekday: Wednesday
    time: "14:30"
  - id: steering
    title: Digital Inclusion Steering Group
    kind: board
    occurrences:
      - date: 2025-09-25
"""


def write_plan(tmp_path: Path, text: str = DUBLIN_PLAN, name: str = "dia.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
