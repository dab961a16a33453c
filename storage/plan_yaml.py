"""Reading a plan file's YAML safely: bounded in size, depth and node count, with
no aliases, anchors or merge keys.

A plan file comes from whoever edits it, so the YAML reader must not be a way to
exhaust memory or the stack: an alias repeats a whole subtree for the price of a
few bytes (a 342-byte "billion laughs" document expands to gigabytes once
validated), and deep bracket nesting recurses once per level. A plan needs
neither, so they are refused, each with its line and column.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent

MAX_PLAN_BYTES = 1024 * 1024
"""1 MB: the bundled 7-item plan is 11 KB; a 200-item plan is about 300 KB. Pure-Python
YAML reads about 300 KB a second, so this also bounds the time a check takes."""
MAX_DEPTH = 20
"""A plan nests at most six levels deep (items, an item, its milestones, a milestone, its due date)."""
MAX_NODES = 100_000
"""Every value, list and section counts as one node; the bundled plan has about 600."""
MAX_DIGITS = 30
"""A number in a plan is an item number, a count or an hour: more digits than this is a mistake
(and Python refuses to convert a number of more than 4,300 digits)."""


_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
) | {"!"}
"""Explicit tags a plan may carry ('!' is a quoted scalar's own); others (!!set, !!binary,
!!python/...) build values no plan field takes, and some make the YAML library itself fail."""


class RefusedYaml(yaml.MarkedYAMLError):
    """Valid YAML that a plan file may not use (an alias, a merge key, too deep, too big)."""


def _refuse(message: str, mark: yaml.Mark | None) -> RefusedYaml:
    return RefusedYaml(problem=message, problem_mark=mark)


class PlanLoader(yaml.SafeLoader):
    """YAML as a coordinator means it: dates stay text for the validator to judge
    (so 2025-02-30 is reported at its place, not as a crash), a key given twice in
    one section is an error instead of the last one silently winning, and nothing
    that can multiply or nest without bound is accepted."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise _refuse(
                f"'*{event.anchor}' repeats another part of the file (a YAML alias); plan files may not use "
                "aliases: write the value out in full",
                event.start_mark,
            )
        if getattr(event, "anchor", None) is not None:
            raise _refuse(
                f"'&{event.anchor}' marks a part of the file for repeating (a YAML anchor); plan files may not "
                "use anchors or aliases: remove it and write any repeats out in full",
                event.start_mark,
            )
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _PLAIN_TAGS:
            raise _refuse(
                f"'{tag.replace('tag:yaml.org,2002:', '!!')}' is a YAML tag; plan files use plain text, numbers, lists and sections only: remove the tag",
                event.start_mark,
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _refuse(
                f"the file holds more than {MAX_NODES:,} values; a plan file this large is not supported "
                "(split the plan, or check the file is the plan you meant)",
                event.start_mark,
            )
        if isinstance(event, CollectionStartEvent) and self._depth >= MAX_DEPTH:
            raise _refuse(
                f"lists and sections are nested more than {MAX_DEPTH} levels deep here; a plan needs at most "
                "six (check for unclosed '[' or '{' brackets)",
                event.start_mark,
            )
        if isinstance(event, ScalarEvent) and event.implicit[0] and len(event.value) > MAX_DIGITS:
            stripped = event.value.lstrip("+-").replace("_", "")
            if stripped.isdigit():
                raise _refuse(
                    f"a number of {len(stripped):,} digits; no field of a plan takes a number that long "
                    "(put it in quotes if it is text)",
                    event.start_mark,
                )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _refuse(
                    "'<<' merges another section into this one (a YAML merge key); plan files may not use "
                    "merge keys: write the fields out in full",
                    key_node.start_mark,
                )
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"'{key}' is given twice in the same section; keep one of them", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


PlanLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.constructor.SafeConstructor.construct_yaml_str)

if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class FastPlanLoader(CParser, PlanLoader):  # type: ignore[misc]
        """PlanLoader reading its events from libyaml's scanner (a 1 MB plan in 2 s, not 11).
        The tree is still built in Python, node by node, so every check above applies."""

        get_single_node = yaml.composer.Composer.get_single_node
        compose_document = yaml.composer.Composer.compose_document
        compose_scalar_node = yaml.composer.Composer.compose_scalar_node
        compose_sequence_node = yaml.composer.Composer.compose_sequence_node
        compose_mapping_node = yaml.composer.Composer.compose_mapping_node
        get_single_data = yaml.constructor.SafeConstructor.get_single_data

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._depth = 0
            self._nodes = 0

else:  # pragma: no cover (PyYAML built without libyaml)
    FastPlanLoader = PlanLoader


def too_big(size: int) -> str | None:
    """Why a plan file of `size` bytes is refused before it is read, or None."""
    if size <= MAX_PLAN_BYTES:
        return None
    return (
        f"the file is {size / 1024 / 1024:.1f} MB; a plan file may be at most {MAX_PLAN_BYTES // 1024 // 1024} MB "
        "(is this the plan file you meant?)"
    )


def load_yaml(text: str) -> Any:
    """The document in `text`, or a yaml.YAMLError (RefusedYaml for what plan files may not use)."""
    try:
        try:
            return yaml.load(text, Loader=FastPlanLoader)  # noqa: S506 (constructs as SafeLoader does)
        except RefusedYaml:
            raise
        except yaml.YAMLError:
            # libyaml's own words are terse ("found a tab character that violates indentation");
            # the Python reader says what is wrong in a way the hints in planfile.py can extend.
            return yaml.load(text, Loader=PlanLoader)  # noqa: S506
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, OverflowError, RecursionError) as exc:
        raise yaml.YAMLError(f"the YAML reader could not make sense of it ({type(exc).__name__})") from exc
