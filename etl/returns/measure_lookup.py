"""Resolving a typed measure id against the catalogue, with a hint naming the nearest real ids when it is unknown."""

from __future__ import annotations

import re

from etl.plan.catalogue import Catalogue
from etl.returns.issue_codes import shown_value

_ID_SHAPE = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?(?:\(([a-z])\))?")


class MeasureLookup:
    """The catalogue's ids and, for hints, the ranges of ids under each section and pillar."""

    def __init__(self, catalogue: Catalogue):
        # The plan a return checked against this lookup reports on, and its years (None: not known, not checked).
        self.plan_id = catalogue.plan_id
        self.first_year = catalogue.first_year
        self.last_year = catalogue.last_year
        self.measures = {m.measure_id for m in catalogue.measures}
        self.sub_items = {s.sub_item_id: s.measure_id for s in catalogue.sub_items}
        self.sub_items_of: dict[str, list[str]] = {}
        for s in catalogue.sub_items:
            self.sub_items_of.setdefault(s.measure_id, []).append(s.sub_item_id)
        self.in_section: dict[str, list[str]] = {}  # a real section, or a pillar number for direct measures
        for m in sorted(catalogue.measures, key=lambda m: m.ordinal):
            self.in_section.setdefault(m.parent_id, []).append(m.measure_id)
        self.sections_of: dict[str, list[str]] = {}
        for s in sorted(catalogue.sections, key=lambda s: s.ordinal):
            if not s.is_direct_group:
                self.sections_of.setdefault(str(s.pillar), []).append(s.section_id)
        self.pillars = sorted({m.pillar for m in catalogue.measures})
        self._known = sorted(self.measures | set(self.sub_items))

    def resolve(self, measure_id: str) -> tuple[str, str | None] | None:
        """(measure, sub-item or None) for a known normalised id, else None."""
        if measure_id in self.measures:
            return measure_id, None
        parent = self.sub_items.get(measure_id)
        return (parent, measure_id) if parent else None

    def hint(self, typed: str, measure_id: str) -> str:
        """Why `typed` is not a measure, naming the real ids nearest to it."""
        shown = f'"{shown_value(typed)}"'
        shape = _ID_SHAPE.fullmatch(measure_id)
        if not shape:
            return f'{shown} is not a measure id; type ids such as 2.1.6 or 3.1.2(a), separated by ";"'
        major, minor, third, letter = shape.groups()
        section = f"{major}.{minor}"
        if letter:
            base = measure_id[: measure_id.index("(")]
            if base in self.measures:
                subs = self.sub_items_of.get(base)
                if subs:
                    return f"{shown} is not a sub-item of {base} ({subs[0]}-{subs[-1]})"
                return f"{shown}: measure {base} has no lettered sub-items; type {base}"
        elif third is None and section in self.in_section and major in self.sections_of:
            ids = self.in_section[section]
            return f"{shown} is a section, not a measure; name its measures ({ids[0]}-{ids[-1]})"
        if third is not None and section in self.in_section:
            ids = self.in_section[section]
            return f"{shown} is not a measure of section {section} ({ids[0]}-{ids[-1]})" + self._close(measure_id)
        if third is None and major in self.in_section:
            ids = self.in_section[major]
            return f"{shown} is not a measure of pillar {major} ({ids[0]}-{ids[-1]})" + self._close(measure_id)
        if major in self.sections_of:
            sections = self.sections_of[major]
            return f"{shown} is not a measure: pillar {major} has sections {sections[0]}-{sections[-1]}" + self._close(
                measure_id
            )
        return f"{shown} is not a measure: the plan has pillars {self.pillars[0]}-{self.pillars[-1]}"

    def _close(self, measure_id: str) -> str:
        import difflib  # only a return with an unknown measure id needs it: not imported at every ingest

        close = difflib.get_close_matches(measure_id, self._known, n=1, cutoff=0.8)
        return f"; did you mean {close[0]}?" if close else ""
