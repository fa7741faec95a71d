"""Every finding a return can get: its stable code, severity, message template and meaning, declared once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class IssueCode:
    code: str
    severity: str
    template: str  # str.format fields: the value found and the code's own details
    description: str
    # Details a caller may leave out: the words of a return, which the schedule's reader replaces
    # (etl.returns.table_layout).
    defaults: dict = field(default_factory=dict)


@dataclass
class Issue:
    """One finding: where it is (sheet, Excel row, column name), what was found and what to type instead."""

    severity: str
    code: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str
    # The cell's column index (1-based) in its sheet, for highlighting; not part of the public record.
    column_index: int | None = field(default=None, repr=False, compare=False)
    # A change against the country's record (the regression codes): which activity, what it was, what it becomes.
    change: RecordChange | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        # Field by field, not dataclasses.asdict: that deep-copies each value, 40 s for a return with 800 000 issues.
        record = {name: getattr(self, name) for name in PUBLIC_FIELDS}
        if self.change is not None:
            record.update(activity_id=self.change.activity_id, old=self.change.old, new=self.change.new)
        return record


@dataclass(frozen=True)
class RecordChange:
    """What a new version would change in an activity's record: its id, the value held, the value coming."""

    activity_id: str
    old: str
    new: str | None  # None: the activity is no longer listed


PUBLIC_FIELDS = ("severity", "code", "sheet", "row", "column", "value", "message")


class IssueCounts:
    """The error and warning counts of anything that carries an `issues` list (a checked return, an ingest)."""

    issues: list[Issue]

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == WARNING)


_CODES: tuple[IssueCode, ...] = (
    # The file as a whole
    IssueCode(
        "unsupported-format",
        ERROR,
        'The file type "{value}" is not accepted; save the return as .xlsx, .xlsm, .xls, .ods or UTF-8 .csv.',
        "The file name ends in an extension the monitor does not read.",
    ),
    IssueCode(
        "not-a-spreadsheet",
        ERROR,
        "The file is not a spreadsheet ({detail}); save the return as .xlsx from Excel or LibreOffice.",
        "The file's content is not a workbook (a renamed text file, an image, a PDF ...).",
    ),
    IssueCode(
        "corrupt-file",
        ERROR,
        "The workbook cannot be opened ({detail}); open it in Excel or LibreOffice, save it again and re-upload.",
        "The file looks like a workbook but is damaged or truncated.",
    ),
    IssueCode(
        "old-excel-format",
        ERROR,
        "The file is an {detail} worksheet, a format too old to read; open it in Excel or LibreOffice, save it as "
        ".xlsx (Excel Workbook) and re-upload.",
        "The file is an Excel 2.x, 3.0 or 4.0 worksheet, older than the .xls format the monitor reads.",
    ),
    IssueCode(
        "unsupported-content",
        ERROR,
        "The workbook holds {detail}, which the monitor cannot read; copy the Cover and Activities sheets into a new "
        "workbook, save it as .xlsx and re-upload.",
        "The workbook uses a feature the reader does not support (an Excel 4.0 macro sheet, an unknown codepage).",
    ),
    IssueCode(
        "password-protected",
        ERROR,
        "The workbook is password-protected; remove the password (File > Info > Protect Workbook) and re-upload.",
        "The file is an encrypted Office document, which cannot be read without its password.",
    ),
    IssueCode(
        "file-too-large",
        ERROR,
        "The workbook expands to {detail}, beyond what a return can hold; remove unused sheets and rows and re-save.",
        "The compressed workbook would unpack beyond the size, entry or ratio limits (a zip bomb or a bloated file).",
    ),
    IssueCode(
        "wrong-encoding",
        ERROR,
        "The CSV file is not UTF-8 text ({detail}); save it as 'CSV UTF-8 (Comma delimited)' and re-upload.",
        "A CSV return must be UTF-8; other encodings would garble names.",
    ),
    IssueCode(
        "empty-workbook",
        ERROR,
        "The file has no data; {template} and re-upload.",
        "The workbook or CSV holds no cell values at all.",
        {"template": "fill in the return template (aptmon template)"},
    ),
    IssueCode(
        "missing-sheet",
        ERROR,
        "The workbook has no {wanted} sheet (sheets found: {detail}); put the {rows_noun} on a sheet named {wanted}.",
        "A workbook needs the sheet of its template: Activities for a return, Schedule for the schedule.",
    ),
    IssueCode(
        "missing-header",
        ERROR,
        "No header row found in the first {detail} rows; the first row of the table must hold the column names "
        "({columns}, ...).",
        "No row near the top of the sheet (Activities, or Schedule) looks like the template's header.",
    ),
    IssueCode(
        "missing-column",
        ERROR,
        "Row {row}: the header has no {column} column; add it (columns found: {detail}).",
        "A required column (Activity ID, Measure IDs, Title, Status) is not in the header row.",
    ),
    IssueCode(
        "extra-column",
        WARNING,
        "Row {row}, {column}: this column is not part of the return and is ignored.",
        "The header has a column the template does not have; it is kept in the file but not loaded.",
    ),
    IssueCode(
        "duplicate-column",
        ERROR,
        "Row {row}, {column}: the column appears twice (also in column {detail}); keep one.",
        "Two header cells name the same column, so it is unclear which one holds the values.",
    ),
    IssueCode(
        "merged-cells",
        WARNING,
        "Row {row}, {column}: cells {detail} are merged; only the first cell keeps its value, so unmerge them "
        "and fill each row.",
        "Merged cells in the activity table: every row but the first reads as blank.",
    ),
    IssueCode(
        "no-activities",
        ERROR,
        "The Activities sheet has a header but no activity rows; list at least one activity.",
        "A return must report at least one activity.",
    ),
    # The return's country and year
    IssueCode(
        "missing-country",
        ERROR,
        "The return does not say which country it is for; fill Country on the Cover sheet "
        "(or choose the country when uploading a CSV).",
        "Neither the Cover sheet nor the upload names the country.",
    ),
    IssueCode(
        "unknown-country",
        ERROR,
        '{where}: "{value}" is not one of the 13 APT countries; type its name or ISO3 code (e.g. KHM).',
        "The return's country is not an ASEAN Plus Three country.",
    ),
    IssueCode(
        "country-mismatch",
        ERROR,
        'Row {row}, {column}: the Cover says "{value}" but the upload is for {detail}; correct one of them.',
        "The Cover sheet names a different country than the upload form or --country.",
    ),
    IssueCode(
        "missing-year",
        ERROR,
        "The return does not say its reporting year; fill Reporting year on the Cover sheet "
        "(or give the year when uploading a CSV).",
        "Neither the Cover sheet nor the upload gives the reporting year.",
    ),
    IssueCode(
        "invalid-year",
        ERROR,
        '{where}: "{value}" is not a reporting year; type a year such as 2015.',
        "The reporting year is not a whole number.",
    ),
    IssueCode(
        "year-mismatch",
        ERROR,
        'Row {row}, {column}: the Cover says "{value}" but the upload is for {detail}; correct one of them.',
        "The Cover sheet gives a different reporting year than the upload form or --year.",
    ),
    IssueCode(
        "year-outside-plan",
        ERROR,
        "{where}: the reporting year {value} is outside the years of plan {plan}, {first}-{last}; returns for it "
        "are for {first} to {last}.",
        "Returns report on the years of their plan (2013-2017 for the 2013-2017 Work Plan).",
    ),
    IssueCode(
        "crosswalk-plans",
        ERROR,
        "The crosswalk cannot be read: {detail}.",
        "A crosswalk's Cover must name an earlier plan (From plan) and a later one (To plan) the monitor holds.",
    ),
    IssueCode(
        "crosswalk-sub-item",
        ERROR,
        'Row {row}, {column}: "{value}" is a sub-item; a crosswalk links whole measures, so type its measure {detail}.',
        "A crosswalk names a sub-item such as 3.1.2(a); continuity is recorded between whole measures (3.1.2).",
    ),
    IssueCode(
        "duplicate-crosswalk-measure",
        ERROR,
        "Row {row}, {column}: {value} is already listed in row {detail}; list each measure once, with every measure "
        "it continues in its one row.",
        "The crosswalk lists a measure of the later plan twice, so it is unclear which row says what it continues.",
    ),
    IssueCode(
        "plan-ambiguous",
        ERROR,
        "{where}: the reporting year {value} falls in more than one plan ({plans}); say which plan the return "
        "reports on, in the Cover's Work plan or with --plan.",
        "Two plans overlap in the return's year and neither the Cover nor the upload says which it reports on.",
    ),
    IssueCode(
        "unknown-plan",
        ERROR,
        '{where}: there is no plan "{value}" in the monitor; the plans are {plans}.',
        "The Cover's Work plan (or --plan) names a plan the monitor does not hold.",
    ),
    # Activity rows
    IssueCode(
        "missing-value",
        ERROR,
        "Row {row}, {column}: this column is required; {detail}.",
        "A required cell (Activity ID, Measure IDs, Title, Status) is blank.",
    ),
    IssueCode(
        "duplicate-activity",
        ERROR,
        'Row {row}, {column}: "{value}" is already used in row {detail}; each activity needs its own ID.',
        "Two rows share an Activity ID; an ID must be unique within the return.",
    ),
    IssueCode(
        "unknown-measure",
        ERROR,
        "Row {row}, {column}: {detail}",
        "A measure id is not in the Work Plan catalogue; the message names the nearest real ids.",
    ),
    IssueCode(
        "unknown-status",
        ERROR,
        'Row {row}, {column}: "{value}" is not a status; type Planned, Ongoing, Suspended, Completed or Cancelled.',
        "The status is none of the five statuses, their common variants or IATI codes 1-6.",
    ),
    IssueCode(
        "invalid-date",
        ERROR,
        'Row {row}, {column}: "{value}" is not a date; type it as 2015-03-01 or 01/03/2015 (day/month/year).',
        "A date cell holds text that cannot be read as a date.",
    ),
    IssueCode(
        "date-out-of-range",
        ERROR,
        "Row {row}, {column}: {value} is before 2000 or after 2030, which looks like a typo; correct the year.",
        "A date far from the plan period is taken as a typing mistake.",
    ),
    IssueCode(
        "date-outside-plan",
        WARNING,
        "Row {row}, {column}: {value} is outside the plan's years, {first}-{last}; kept as given.",
        "An activity date outside its plan's years (e.g. a programme that started before the plan) is kept.",
    ),
    IssueCode(
        "ambiguous-date",
        WARNING,
        'Row {row}, {column}: "{value}" could be {day_first} (day/month/year) or {month_first} (month/day/year); '
        "read as {day_first}. If that is wrong, type the date as year-month-day ({iso} is {day_first}).",
        "A date typed with day and month both 12 or less (01/07/2017) reads two ways; the other dates of its "
        "column settle it when one of them has a day over 12, else it is read day first and this warning names "
        "both readings.",
    ),
    IssueCode(
        "year-only-date",
        WARNING,
        "Row {row}, {column}: only the year {value} was given; taken as {detail}.",
        "A date given as a year alone is read as 1 January of that year.",
    ),
    IssueCode(
        "missing-date",
        ERROR,
        "Row {row}, {column}: an activity that is {detail} needs its {column}; type the date.",
        "Start date is required for ongoing, suspended and completed activities; End date for completed ones.",
    ),
    IssueCode(
        "end-before-start",
        ERROR,
        "Row {row}, {column}: {value} is before the Start date {detail}; correct one of the two dates.",
        "An activity cannot end before it starts.",
    ),
    IssueCode(
        "unknown-partner",
        WARNING,
        'Row {row}, {column}: "{value}" is not an APT country and is left out; use APT names or codes '
        "separated by ';'.",
        "A partner country is not one of the 13 APT countries.",
    ),
    IssueCode(
        "unknown-funding-source",
        WARNING,
        'Row {row}, {column}: "{value}" is not a listed funding source; kept as given (listed: {detail}).',
        "The funding source is none of the template's list.",
    ),
    IssueCode(
        "invalid-budget",
        ERROR,
        'Row {row}, {column}: "{value}" is not an amount; type a number of US dollars of 0 or more, e.g. 25000.',
        "The budget is not a number, or is negative.",
    ),
    # Schedule rows (the implementation schedule workbook, Work Plan item 6.3)
    IssueCode(
        "schedule-sub-item",
        ERROR,
        'Row {row}, {column}: "{value}" is a sub-item; a schedule is set per measure, so type its measure {detail}.',
        "The schedule names a sub-item such as 3.1.2(a); schedules are set for whole measures (3.1.2).",
    ),
    IssueCode(
        "unknown-kind",
        ERROR,
        'Row {row}, {column}: "{value}" is not a kind; type One-off (delivered once) or Recurring (every year), '
        "or leave it blank for one-off.",
        "The kind is neither one-off nor recurring, nor one of their common variants (once, annual, yearly ...).",
    ),
    IssueCode(
        "invalid-schedule-year",
        ERROR,
        'Row {row}, {column}: "{value}" is not a year of the plan; type a year from {first} to {last}, or leave it '
        "blank for {detail}.",
        "A start or due year is not a whole year within the plan's own years (2013-2017 for the 2013-2017 Work Plan).",
    ),
    IssueCode(
        "due-before-start",
        ERROR,
        "Row {row}, {column}: the due year {value} is before the start year {detail}; correct one of the two.",
        "A measure cannot be due before it starts (a blank year counts as its default, the plan's first or last year).",
    ),
    IssueCode(
        "unknown-lead-country",
        ERROR,
        'Row {row}, {column}: "{value}" is not one of the 13 APT countries; type names or ISO3 codes separated by '
        "';', e.g. JPN; KOR.",
        "A lead country is not an ASEAN Plus Three country.",
    ),
    IssueCode(
        "duplicate-measure",
        ERROR,
        "Row {row}, {column}: {value} is already scheduled in row {detail}; list each measure once.",
        "The schedule lists a measure twice, so it is unclear which line holds its schedule.",
    ),
    IssueCode(
        "more-issues",
        WARNING,
        '{value} more cells have the problem "{detail}" beyond the {limit:,} listed; correct those and check again.',
        "A return lists at most 1,000 findings of each code; this one counts the rest.",
    ),
    IssueCode(
        "cell-error",
        ERROR,
        "Row {row}, {column}: the cell shows the spreadsheet error {value}; fix the formula or type the value.",
        "A formula in the cell evaluates to an error such as #REF! or #VALUE!.",
    ),
    # Against the country's record: what this version would undo (see etl.returns.regressions)
    IssueCode(
        "completed-undone",
        WARNING,
        "Row {row}, {column}: activity {activity} was completed in {source} and would go back to {value}; "
        "check the Status (set Completed again if it is done), or confirm the change.",
        "An activity the record holds as completed comes back with another status.",
    ),
    IssueCode(
        "activity-removed",
        WARNING,
        "Activity {activity}, {old} in {source}, is not in this return and would leave the record; "
        "list it again if it belongs to the year, or confirm that it goes.",
        "A completed or ongoing activity of the current version is missing from the new version.",
    ),
    IssueCode(
        "measures-changed",
        WARNING,
        "Row {row}, {column}: activity {activity} was linked to {old} in {source} and would be linked to {value}; "
        "check the measure ids, or confirm the change.",
        "An activity comes back linked to other measures than the record holds for it.",
    ),
)

# Findings against the country's record rather than the file: a return with any of them is held until confirmed.
REGRESSION_CODES = ("completed-undone", "activity-removed", "measures-changed")

ISSUE_CODES: dict[str, IssueCode] = {c.code: c for c in _CODES}


def make_issue(
    code: str,
    *,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: object = None,
    column_index: int | None = None,
    change: RecordChange | None = None,
    **details: object,
) -> Issue:
    """Build the issue record for `code`, filling its message template.

    Text taken from the file (a sheet name, a header, a value) reaches the record only as showable text.
    """
    spec = ISSUE_CODES[code]
    shown = None if value is None else showable(shown_value(value))
    sheet, column = _showable_or_none(sheet), _showable_or_none(column)
    # The templates are plain text: one look at the message covers the details put into it.
    message = showable(spec.template.format(row=row, column=column, value=shown, **(spec.defaults | details)))
    return Issue(spec.severity, code, sheet, row, column, shown, message, column_index, change)


# Control characters (NUL, ESC, U+0085 ...) and the invisible marks that reorder or hide text (bidirectional
# overrides and isolates, zero-width characters): from a file, they could break a line of JSON or make a message
# read as something else. Tabs and line breaks become spaces; the rest go.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")
_SPACING = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]+")


def showable(text: str, breaks: str = " ") -> str:
    """Text from a file as a message may show it: no control or bidirectional characters; tabs and line breaks
    become `breaks`."""
    if text.isprintable() and text.isascii():  # nearly every value: nothing to look for
        return text
    return _UNSHOWABLE.sub("", _SPACING.sub(breaks, text))


def _showable_or_none(text: str | None) -> str | None:
    return text if text is None or (text.isascii() and text.isprintable()) else showable(text)


SHOWN_VALUE_CHARS = 120  # a pasted essay in a cell must not turn every message about it into an essay


def shown_value(value: object) -> str:
    """A cell value as a message shows it: whole numbers without .0, dates as typed, long text clipped."""
    if isinstance(value, str) and len(value) > SHOWN_VALUE_CHARS:
        return f"{value[:SHOWN_VALUE_CHARS]}... ({len(value):,} characters)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "year") and hasattr(value, "isoformat"):
        return value.isoformat()[:10]  # dates and datetimes show as the date a person typed
    return str(value)


def issue_codes_table() -> str:
    """The Markdown table of every code, severity and meaning, as docs/issue-codes.md lists them."""
    lines = ["| code | severity | meaning |", "|---|---|---|"]
    lines += [f"| `{c.code}` | {c.severity} | {c.description} |" for c in _CODES]
    return "\n".join(lines)
