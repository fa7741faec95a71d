"""Checking a read return against the rules of the return format and the catalogue; one pass, cheap per row."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, count, islice, repeat
from operator import itemgetter

from etl.plan.catalogue import Catalogue, normalise_measure_id
from etl.plan.countries import country_code
from etl.returns import layout as fmt
from etl.returns.cells import (
    CELL_ERRORS,
    INVALID_AMOUNT,
    ambiguous_readings,
    cell_text,
    cell_year,
    column_texts,
    day_month_order,
    is_blank,
    parse_amount,
    parse_date,
)
from etl.returns.issue_codes import ERROR, Issue, IssueCounts, make_issue
from etl.returns.issue_log import IssueLog, issue_order
from etl.returns.measure_lookup import MeasureLookup
from etl.returns.read import RawReturn
from etl.returns.rows import ACTIVITY_COLUMNS, MEASURE_COLUMNS, Rows

# Activity dates are checked against the plan's years; a catalogue that knows none accepts any date.
_ANY_DATE = (date.min, date.max)
NEEDS_START = ("ongoing", "suspended", "completed")
NEEDS_END = ("completed",)

_STATUS_WORDS = {
    "planned": ("planned", "plan", "notstarted", "notyetstarted", "pipeline", "identification", "proposed", "1"),
    "ongoing": (
        "ongoing", "inprogress", "progress", "implementation", "implementing", "underway", "active", "started",
        "continuing", "2",
    ),
    "completed": ("completed", "complete", "done", "finished", "finalised", "finalized", "finalisation", "closed",
                  "3", "4"),
    "cancelled": ("cancelled", "canceled", "cancel", "dropped", "abandoned", "terminated", "5"),
    "suspended": ("suspended", "onhold", "hold", "paused", "postponed", "6"),
}  # fmt: skip
STATUS_LOOKUP: dict[str, str] = {word: status for status, words in _STATUS_WORDS.items() for word in words}

_FUNDING_WORDS = {
    "APT Cooperation Fund": ("aptcooperationfund", "aptcf", "aptfund", "cooperationfund", "aseanplusthreefund"),
    "National budget": ("nationalbudget", "national", "government", "governmentbudget", "statebudget"),
    "Plus Three partner": ("plusthreepartner", "plusthree", "partner", "partnercountry", "dialoguepartner"),
    "Other": ("other", "others"),
}
FUNDING_LOOKUP: dict[str, str] = {word: name for name, words in _FUNDING_WORDS.items() for word in words}

_MEASURE_SEPARATORS = re.compile(r"[;,\n\r]+")
_PARTNER_SEPARATORS = re.compile(r"[;\n\r]+")


_MISSING_HINT = {
    "activity_id": "give each activity an ID that stays the same every year, e.g. KHM-001",
    "measure_ids": "name at least one measure, e.g. 2.1.6 or 3.1.2(a)",
    "title": "type the activity's title",
    "status": "choose Planned, Ongoing, Suspended, Completed or Cancelled",
}


@dataclass
class ValidatedReturn(IssueCounts):
    """A return after checking: its country, year, rows ready to load, and every issue found."""

    country: str | None
    year: int | None
    activities: Rows
    measures: Rows
    issues: list[Issue] = field(default_factory=list)
    is_synthetic: bool = False
    plan_id: str | None = None  # the plan it reports on: the one whose catalogue it was checked against

    @property
    def accepted(self) -> bool:
        return self.errors == 0


def validate_return(
    raw: RawReturn,
    catalogue: Catalogue | MeasureLookup,
    country: str | None = None,
    year: int | str | None = None,
    plan_findings: list[Issue] | None = None,
) -> ValidatedReturn:
    """Check a read return against its plan's catalogue and years; `country` and `year` are what the upload says
    (flags or form), if anything; `plan_findings` why its plan could not be told (etl.returns.plan_choice)."""
    lookup = catalogue if isinstance(catalogue, MeasureLookup) else MeasureLookup(catalogue)
    issues = IssueLog(raw.issues)
    header_issues: list[Issue] = list(plan_findings or [])
    resolved_country = _check_country(raw, country, header_issues)
    # With the plan itself in doubt, its years say nothing of the return's.
    resolved_year = _check_year(raw, year, header_issues, lookup, check_plan_years=not plan_findings)
    if raw.table is not None:  # an unreadable file gets the one issue that says why, not a list of consequences
        issues.extend(header_issues)
    synthetic = fmt.SYNTHETIC_MARK.lower() in str(raw.cover.get("data").value if raw.cover.get("data") else "").lower()
    empty = ValidatedReturn(
        resolved_country,
        resolved_year,
        Rows.empty(ACTIVITY_COLUMNS),
        Rows.empty(MEASURE_COLUMNS),
        issues,
        synthetic,
        lookup.plan_id,
    )
    table = raw.table
    if table is None or any(i.code in ("missing-column", "duplicate-column") for i in issues):
        return empty
    if len(table) == 0:
        issues.append(make_issue("no-activities", sheet=table.sheet, row=table.header_row + 1))
        return empty
    activities, measures = _check_rows(raw, lookup, issues)
    issues = sorted([*issues, *issues.summaries()], key=issue_order)  # the counts of unlisted findings first
    return ValidatedReturn(resolved_country, resolved_year, activities, measures, issues, synthetic, lookup.plan_id)


def _check_country(raw: RawReturn, given: str | None, issues: list[Issue]) -> str | None:
    from_upload = None
    if given:
        from_upload = country_code(given)
        if from_upload is None:
            issues.append(make_issue("unknown-country", value=given, where="The upload"))
            return None
    cell = raw.cover.get("country")
    from_cover = None
    if cell is not None and not is_blank(cell.value):
        from_cover = country_code(cell.value)
        where = dict(sheet=raw.cover_sheet, row=cell.row, column="Country", column_index=cell.column_index)
        if from_cover is None:
            issues.append(make_issue("unknown-country", value=cell.value, where=f"Row {cell.row}, Country", **where))
        elif from_upload and from_cover != from_upload:
            issues.append(make_issue("country-mismatch", value=cell.value, detail=from_upload, **where))
    resolved = from_upload or from_cover
    if resolved is None and not any(i.code == "unknown-country" for i in issues):
        issues.append(make_issue("missing-country"))
    return resolved


def _check_year(
    raw: RawReturn, given: int | str | None, issues: list[Issue], lookup: MeasureLookup, check_plan_years: bool = True
) -> int | None:
    from_upload = None
    if given not in (None, ""):
        from_upload = cell_year(given)
        if from_upload is None:
            issues.append(make_issue("invalid-year", value=given, where="The upload"))
            return None
    cell = raw.cover.get("year")
    from_cover = None
    where = {}
    if cell is not None and not is_blank(cell.value):
        from_cover = cell_year(cell.value)
        where = dict(sheet=raw.cover_sheet, row=cell.row, column="Reporting year", column_index=cell.column_index)
        if from_cover is None:
            place = f"Row {cell.row}, Reporting year"
            issues.append(make_issue("invalid-year", value=cell.value, where=place, **where))
        elif from_upload and from_cover != from_upload:
            issues.append(make_issue("year-mismatch", value=cell.value, detail=from_upload, **where))
    resolved = from_upload or from_cover
    if resolved is None:
        if not any(i.code == "invalid-year" for i in issues):
            issues.append(make_issue("missing-year"))
        return None
    first, last = lookup.first_year, lookup.last_year
    if check_plan_years and first is not None and last is not None and not first <= resolved <= last:
        place = f"Row {cell.row}, Reporting year" if from_upload is None and cell else "The upload"
        years = dict(plan=lookup.plan_id, first=first, last=last)
        issues.append(make_issue("year-outside-plan", value=resolved, where=place, **years, **(where if cell else {})))
    return resolved


def _positions(values: list, target: object) -> list[int]:
    """The indexes of `target` (None, a blank) in a column; the `in` test runs in C and is usually false."""
    return [i for i, v in enumerate(values) if v is target] if target in values else []


def _check_rows(raw: RawReturn, lookup: MeasureLookup, issues: IssueLog) -> tuple[Rows, Rows]:
    """Check every activity row. Each column is one pass with the conversion memoised per distinct cell value,
    since returns repeat a handful of statuses, measure lists, dates and partners: O(n) with cheap steps."""
    table = raw.table
    sheet = table.sheet
    rows = table.rows
    n = len(rows)
    columns = table.columns
    blank_column = [""] * n

    def place(name: str, i: int) -> dict:
        # Messages use the template's column name, whatever spelling the header had.
        column = columns.get(name)
        header = fmt.COLUMN_BY_FIELD[name].header
        return dict(sheet=sheet, row=rows[i], column=header, column_index=column.index if column else None)

    # A finding past its code's cap is only counted: neither it nor its place is built (issue 28, finding 4). Each
    # check collects the row positions of a finding first, so the findings past the cap cost one count in all.
    def note_each(code: str, name: str, positions: list[int], fields: Callable[[int], dict]) -> None:
        # One finding per row position, with the fields its position gives.
        room = issues.room(code)
        for i in positions[:room]:
            issues.add(code, **fields(i), **place(name, i))
        issues.count_dropped(code, len(positions) - room)

    def note_all(code: str, name: str, positions: list[int], **fields) -> None:
        # One finding per row position, all with the same fields.
        note_each(code, name, positions, lambda _: fields)

    def note_items(code: str, name: str, positions: list[int], items: list[list], fields: Callable) -> None:
        # One finding per item at each position (items[k]: the unknown names in the cell at positions[k]), in order.
        room = issues.room(code)
        for k, i in enumerate(positions):
            for item in items[k][:room]:
                issues.add(code, **fields(i, item), **place(name, i))
            if len(items[k]) >= room:
                issues.count_dropped(code, len(items[k]) - room + sum(map(len, items[k + 1 :])))
                return
            room -= len(items[k])

    # Spreadsheet errors (#REF! ...) in any column: report, then treat the cell as blank.
    error_cells: set[tuple[str, int]] = set()
    raw_columns: dict[str, list] = {}
    for name in fmt.COLUMN_BY_FIELD:
        column_values = table.values.get(name, blank_column)
        found = CELL_ERRORS.intersection(column_values)  # a set operation in C; usually empty
        if found:
            bad = [i for i, v in enumerate(column_values) if v in found]
            column_values = list(column_values)
            note_each("cell-error", name, bad, lambda i, shown=column_values: dict(value=shown[i]))
            for i in bad:
                error_cells.add((name, i))
                column_values[i] = ""
        raw_columns[name] = column_values

    out: dict[str, list] = {}
    out["source_sheet"] = [sheet] * n
    out["source_row"] = rows

    def require(name: str, positions: list[int]) -> None:
        # A cell that showed a spreadsheet error has its finding already.
        if error_cells:
            positions = [i for i in positions if (name, i) not in error_cells]
        note_all("missing-value", name, positions, detail=_MISSING_HINT[name])

    for name in ("activity_id", "title", "lead_agency", "description"):
        out[name] = column_texts(raw_columns[name])

    # Activity ID: present and unique (ignoring case, as people read them).
    ids = out["activity_id"]
    require("activity_id", _positions(ids, None))
    if None in ids:  # the blank ids, already found, count as one key
        keys = [v.upper() if v is not None else None for v in ids]
        unrepeated = n - keys.count(None) + 1
    else:
        keys, unrepeated = list(map(str.upper, ids)), n
    if len(set(keys)) < unrepeated:  # how many keys there are when no id repeats
        first_seen = dict(zip(reversed(keys), reversed(rows), strict=True))  # each key's first row: the last wins
        repeated = [i for i, key, row in zip(count(), keys, rows) if key is not None and first_seen[key] != row]
        note_each(
            "duplicate-activity", "activity_id", repeated, lambda i: dict(value=ids[i], detail=first_seen[keys[i]])
        )
    require("title", _positions(out["title"], None))

    # Status: variants and IATI codes.
    status_memo: dict[object, str | None] = {}
    for value in set(raw_columns["status"]):
        text = cell_text(value)
        status_memo[value] = STATUS_LOOKUP.get(fmt.header_key(text)) if text else ""
    statuses = list(map({v: status or None for v, status in status_memo.items()}.__getitem__, raw_columns["status"]))
    no_status = _positions(statuses, None)
    require("status", [i for i in no_status if status_memo[raw_columns["status"][i]] == ""])
    unknown_status = [i for i in no_status if status_memo[raw_columns["status"][i]] != ""]
    note_each("unknown-status", "status", unknown_status, lambda i: dict(value=cell_text(raw_columns["status"][i])))
    out["status"] = statuses

    # Measure IDs: each cell split, normalised by the catalogue's one function, rolled up to measures. A column
    # of known ids, each named once in its cell, is linked in bulk; any other goes cell by cell, with its issues.
    measure_cells = raw_columns["measure_ids"]
    measure_links = _links_in_bulk(measure_cells, ids, lookup)
    part_memo: dict[str, tuple] = {}
    plain: dict[str, tuple[str, None]] = {}
    cell_memo: dict[object, tuple[list[tuple[str, str | None]], list[tuple[str, str]]]] = {}
    for value in set(measure_cells) if measure_links is None else ():
        cell_memo[value] = _parse_measures(value, lookup, part_memo, plain)
    empty_cells = {v for v, (links, unknown) in cell_memo.items() if not links and not unknown}
    unknown_cells = {v for v, (links, unknown) in cell_memo.items() if unknown}
    if empty_cells:
        require("measure_ids", [i for i, v in enumerate(measure_cells) if v in empty_cells])
    if unknown_cells:  # the hint searches the catalogue: only kept findings get one
        positions = [i for i, v in enumerate(measure_cells) if v in unknown_cells]
        unknown_ids = [cell_memo[measure_cells[i]][1] for i in positions]
        note_items("unknown-measure", "measure_ids", positions, unknown_ids, lambda i, unknown: dict(
            value=unknown[0], detail=lookup.hint(*unknown)))  # fmt: skip

    # Dates: real dates, ISO or day/month/year text, Excel serials, a year alone (with a warning).
    plan_start, plan_end = _ANY_DATE
    if lookup.first_year is not None and lookup.last_year is not None:
        plan_start, plan_end = date(lookup.first_year, 1, 1), date(lookup.last_year, 12, 31)
    years = dict(first=lookup.first_year, last=lookup.last_year)

    def check_dates(name: str) -> None:
        values = raw_columns[name]
        distinct = set(values) - {"", None}
        # A column whose dates settle how it writes day and month (13/07/2017) is read that way throughout;
        # otherwise 01/07/2017 is read day first, with a warning naming both readings.
        order = day_month_order(distinct)
        parsed = {v: parse_date(v, month_first=order == "month") for v in distinct}
        # A date read with a warning (a year alone) or outside the plan's years is kept; a refused one is not.
        kept = {v: p[0] for v, p in parsed.items() if p[1] not in ("invalid-date", "date-out-of-range")}
        out[name] = list(map(kept.get, values))
        # Each problem's cells, then the cells outside the plan's years: a cell's findings in the order it had them.
        for problem in sorted({p[1] for p in parsed.values() if p[1]}):
            with_problem = {v for v, p in parsed.items() if p[1] == problem}
            positions = [i for i, v in enumerate(values) if v in with_problem]
            note_each(problem, name, positions, lambda i: dict(value=values[i], detail=parsed[values[i]][2]))
        if outside := {v for v, when in kept.items() if not plan_start <= when <= plan_end}:
            positions = [i for i, v in enumerate(values) if v in outside]
            note_each("date-outside-plan", name, positions, lambda i: dict(value=kept[values[i]], **years))
        ambiguous = {v: r for v in distinct if (r := ambiguous_readings(v))} if order is None else {}
        # A refused date (not a date, or out of range) has a finding that says enough.
        if ambiguous := {v: readings for v, readings in ambiguous.items() if kept.get(v) is not None}:
            positions = [i for i, v in enumerate(values) if v in ambiguous]
            note_each("ambiguous-date", name, positions, lambda i: _ambiguous_fields(values[i], *ambiguous[values[i]]))

    check_dates("start_date")
    check_dates("end_date")

    starts, ends = out["start_date"], out["end_date"]
    start_values, end_values = raw_columns["start_date"], raw_columns["end_date"]
    no_start = [i for i in _positions(starts, None) if statuses[i] in NEEDS_START]
    no_end = [i for i in _positions(ends, None) if statuses[i] in NEEDS_END]
    status_of = lambda i: dict(detail=statuses[i])  # noqa: E731
    note_each("missing-date", "start_date", [i for i in no_start if _blank_or_empty(start_values[i])], status_of)
    note_each("missing-date", "end_date", [i for i in no_end if _blank_or_empty(end_values[i])], status_of)
    ended = [i for i, b in enumerate(ends) if b is not None]  # usually the completed ones alone
    backwards = [i for i in ended if starts[i] is not None and ends[i] < starts[i]]
    note_each("end-before-start", "end_date", backwards, lambda i: dict(value=ends[i], detail=starts[i].isoformat()))

    out["partners"] = [None] * n
    out["funding_source"] = [None] * n
    out["budget_usd"] = [None] * n
    _check_partners(raw_columns["partners"], out["partners"], note_items)
    _check_funding(raw_columns["funding_source"], out["funding_source"], note_each)
    _check_budget(raw_columns["budget_usd"], out["budget_usd"], note_each)

    if any(i.severity == ERROR for i in issues):
        return Rows.empty(ACTIVITY_COLUMNS), Rows.empty(MEASURE_COLUMNS)
    # Only an accepted return needs its (activity, measure) rows: one per measure a cell names.
    # Built with map and chain (loops in C): a return has 100 000 rows or more.
    if measure_links is None:
        links_of = list(map(itemgetter(0), map(cell_memo.__getitem__, measure_cells)))
        measure_activity = list(chain.from_iterable(map(repeat, ids, map(len, links_of))))
        flat = list(chain.from_iterable(links_of))
        measure_links = measure_activity, list(map(itemgetter(0), flat)), list(map(itemgetter(1), flat))
    activities = Rows(ACTIVITY_COLUMNS, {name: out[name] for name in ACTIVITY_COLUMNS})
    measures = Rows(MEASURE_COLUMNS, dict(zip(MEASURE_COLUMNS, measure_links, strict=True)))
    return activities, measures


def _spelled(when: date) -> str:
    return f"{when.day} {when:%B %Y}"  # 1 July 2017: a reading no one can take the other way


def _ambiguous_fields(value: object, day_first: date, month_first: date) -> dict:
    return dict(
        value=value, day_first=_spelled(day_first), month_first=_spelled(month_first), iso=day_first.isoformat()
    )


def _links_in_bulk(cells: list, ids: list, lookup: MeasureLookup) -> tuple[list, list, list] | None:
    """(activity ids, measure ids, sub-items), one per link, when every cell is text naming known measures, each
    once, separated by ';'; else None, and _parse_measures reads the cells one by one and says what is wrong.

    One join and one split over the whole column, and one lookup per distinct id: the loops run in C, where
    parsing each distinct cell in Python costs a tenth of a second on 100 000 rows of varied measure lists.
    """
    try:
        joined = ";".join(cells)
    except TypeError:  # a number (2.1 typed into the cell) or a date: read cell by cell
        return None
    if "," in joined or "\n" in joined or "\r" in joined:
        return None
    pieces = joined.split(";")
    resolved = {}
    for piece in set(pieces):
        _, _, found = _resolve_piece(piece, lookup)
        if found is None:  # a blank cell or piece, or an unknown id
            return None
        resolved[piece] = found
    links = list(map(resolved.__getitem__, pieces))
    measures = list(map(itemgetter(0), links))
    per_cell = list(map((1).__add__, map(str.count, cells, repeat(";"))))  # how many of the links each cell gives
    if _names_a_measure_twice(measures, per_cell):  # merge cell by cell
        return None
    activities = list(chain.from_iterable(map(repeat, ids, per_cell)))
    return activities, measures, list(map(itemgetter(1), links))


def _names_a_measure_twice(measures: list[str], per_cell: list[int]) -> bool:
    """Whether a cell names one measure twice (2.1.6 twice, or two of its sub-items): `measures` holds each cell's
    measures in turn, per_cell[k] of them for cell k.

    Cell by cell is enough: a repeated pair (activity, measure) can only come from one cell unless two rows share
    an activity id, and such a return is refused (duplicate-activity, missing-value) whatever its links. One small
    set per cell costs a quarter of one set of 200 000 pairs."""
    each = iter(measures)
    return sum(map(len, map(set, map(islice, repeat(each), per_cell)))) < len(measures)


def _resolve_piece(piece: str, lookup: MeasureLookup) -> tuple[str, str, tuple[str, str | None] | None]:
    """(the id as typed, normalised by the catalogue's one function, (measure, sub-item) or None when unknown or
    blank) for one piece of a measure cell."""
    typed = piece.strip()
    measure_id = normalise_measure_id(typed) if typed else ""
    return typed, measure_id, lookup.resolve(measure_id) if typed else None


def _blank_or_empty(value: object) -> bool:
    return value == "" or is_blank(value)


def _parse_measures(
    value: object, lookup: MeasureLookup, part_memo: dict[str, tuple], plain: dict[str, tuple[str, None]]
) -> tuple[list[tuple[str, str | None]], list[tuple[str, str]]]:
    """(measure, its sub-items joined by ';' or None) per measure named in a cell, and the unknown ids typed.

    `part_memo` remembers what each piece of a cell resolved to, and `plain` the pieces that name a measure
    without a sub-item: a cell made of those alone (nearly every cell) is one split and one lookup per id.
    """
    if value.__class__ is str:
        try:
            measures = [plain[part] for part in value.split(";")]
        except KeyError:
            pass
        else:
            if len(measures) < 2 or len(set(measures)) == len(measures):
                return measures, []
    text = value if value.__class__ is str else cell_text(value)
    if not text:
        return [], []
    # str.split is several times faster than the regex; most cells use ';' alone.
    parts = _MEASURE_SEPARATORS.split(text) if "," in text or "\n" in text or "\r" in text else text.split(";")
    measures: list[tuple[str, str | None]] = []
    unknown: list[tuple[str, str]] = []
    with_sub_item = False
    for part in parts:
        known = part_memo.get(part)
        if known is None:
            typed, measure_id, resolved = _resolve_piece(part, lookup)
            known = part_memo[part] = (1, resolved) if resolved else ((2, (typed, measure_id)) if typed else (0, None))
            if resolved and resolved[1] is None:
                plain[part] = resolved
        kind = known[0]
        if kind == 1:
            measures.append(known[1])
            if known[1][1] is not None:
                with_sub_item = True
        elif kind == 2:
            unknown.append(known[1])
    if not with_sub_item and (len(measures) < 2 or len(set(measures)) == len(measures)):
        return measures, unknown
    # One row per (activity, measure): several sub-items of one measure share its row.
    by_measure: dict[str, list[str]] = {}
    for measure, sub_item in measures:
        subs = by_measure.setdefault(measure, [])
        if sub_item and sub_item not in subs:
            subs.append(sub_item)
    return [(m, ";".join(subs) if subs else None) for m, subs in by_measure.items()], unknown


def _check_partners(values: list, target: list, note_items: Callable) -> None:
    parsed = {v: _parse_partners(v) for v in set(values) if v != ""}
    codes = {v: p[0] for v, p in parsed.items()}
    codes[""] = None
    target[:] = map(codes.__getitem__, values)  # one lookup per row, in C
    if unknown := {v for v, p in parsed.items() if p[1]}:
        positions = [i for i, v in enumerate(values) if v in unknown]
        names = [parsed[values[i]][1] for i in positions]
        note_items("unknown-partner", "partners", positions, names, lambda i, name: {"value": name})


def _parse_partners(value: object) -> tuple[str | None, list[str]]:
    text = cell_text(value)
    if text is None:
        return None, []
    codes: list[str] = []
    unknown: list[str] = []
    for part in _PARTNER_SEPARATORS.split(text):
        part = part.strip()
        if not part:
            continue
        # "Korea, Republic of" is one name; otherwise a comma separates names.
        pieces = [part] if country_code(part) else [p.strip() for p in part.split(",") if p.strip()]
        for piece in pieces:
            code = country_code(piece)
            if code is None:
                unknown.append(piece)
            elif code not in codes:
                codes.append(code)
    return (";".join(codes) or None), unknown


def _check_funding(values: list, target: list, note_each: Callable) -> None:
    listed = ", ".join(fmt.FUNDING_SOURCES)
    parsed: dict[object, tuple[str | None, bool]] = {}
    for value in set(values):
        text = cell_text(value)
        known = FUNDING_LOOKUP.get(fmt.header_key(text)) if text else None
        parsed[value] = (known or text, known is not None or text is None)
    target[:] = map({v: p[0] for v, p in parsed.items()}.__getitem__, values)
    unknown = {v for v, p in parsed.items() if not p[1]}
    if unknown:
        positions = [i for i, v in enumerate(values) if v in unknown]
        note_each("unknown-funding-source", "funding_source", positions, lambda i: dict(value=target[i], detail=listed))


def _check_budget(values: list, target: list, note_each: Callable) -> None:
    # Numbers (what a spreadsheet gives) pass as they are; only other cells go through the slow path.
    target[:] = [v if v.__class__ is float and v >= 0 else None for v in values]
    others = {v for v in values if v.__class__ is not float or not v >= 0}
    amounts = {v: parse_amount(v) for v in others}
    slow = [i for i, v in enumerate(values) if v in amounts] if others - {""} else []
    for i in slow:
        target[i] = amounts[values[i]]
    invalid = [i for i in slow if amounts[values[i]] is INVALID_AMOUNT]
    for i in invalid:
        target[i] = None
    note_each("invalid-budget", "budget_usd", invalid, lambda i: dict(value=values[i]))
