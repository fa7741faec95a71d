"""Component ids, declared once so layouts, callbacks and tests agree."""

NAVBAR = "navbar"
NAVBAR_TOGGLER = "navbar-toggler"
NAVBAR_COLLAPSE = "navbar-collapse"
MAIN = "main-content"
SKIP_LINK = "skip-link"
FOCUS_SINK = "focus-sink"  # the output of the clientside callback that moves focus to a new page's heading
DEMO_BANNER = "demo-banner"
URL_SYNC = "url-sync"
NAVIGATE = "navigate"

# Shared filters carry a pattern-matching id, so one clientside callback mirrors whichever of them a
# page shows into the URL query string (a view can be shared as a link and survives a reload).
FILTER = "filter"
YEAR = {"type": FILTER, "name": "year"}
PILLAR = {"type": FILTER, "name": "pillar"}
COUNTRY = {"type": FILTER, "name": "country"}
METRIC = {"type": FILTER, "name": "metric"}
ROWS = {"type": FILTER, "name": "rows"}
SECTION = {"type": FILTER, "name": "section"}

# Overview
HEADLINE_CARDS = "headline-cards"
TREND_GRAPH = "trend-graph"
PILLAR_TRENDS_GRAPH = "pillar-trends-graph"
PILLAR_RANKING_GRAPH = "pillar-ranking-graph"
OVERVIEW_EMPTY = "overview-empty"

# Pillars x countries
HEATMAP_GRAPH = "heatmap-graph"

# Measures and one measure
CATALOGUE_TABLE = "catalogue-table"
CATALOGUE_SEARCH = "catalogue-search"
CATALOGUE_SUMMARY = "catalogue-summary"
CATALOGUE_TREEMAP = "catalogue-treemap"
MEASURE_ID = "measure-id"
MEASURE_SUMMARY = "measure-summary"
MEASURE_COUNTRIES_GRAPH = "measure-countries-graph"
MEASURE_ACTIVITIES_TABLE = "measure-activities-table"
MEASURE_ACTIVITIES_NOTE = "measure-activities-note"
MEASURE_PILLAR_LINK = "measure-pillar-link"
MEASURE_SECTION_LINK = "measure-section-link"

# Country profile
COUNTRY_PILLARS_GRAPH = "country-pillars-graph"
COUNTRY_REPORTING = "country-reporting"
COUNTRY_ACTIVITIES_TABLE = "country-activities-table"
COUNTRY_ACTIVITIES_NOTE = "country-activities-note"

# Reporting
REPORTING_CARDS = "reporting-cards"
REPORTING_MATRIX_GRAPH = "reporting-matrix-graph"
REPORTING_ISSUES_TABLE = "reporting-issues-table"
REPORTING_ISSUES_NOTE = "reporting-issues-note"

# Signing in, upload, export and the submissions log
SIGNED_IN_USER = "signed-in-user"
SIGN_OUT_FORM = "sign-out-form"
UPLOAD = "upload"
UPLOAD_COUNTRY = "upload-country"
UPLOAD_YEAR = "upload-year"
UPLOAD_RECEIVED_ON = "upload-received-on"
UPLOAD_RESULTS = "upload-results"
UPLOAD_SUBMIT = "upload-submit"  # pattern-matching type, one per checked file ({"type": ..., "token": ...})
UPLOAD_OUTCOME = "upload-outcome"  # pattern-matching type, beside each Submit button
UPLOAD_CHANGES_TABLE = "upload-changes-table"  # + "-<token>": a held file's changes to the record
UPLOAD_STATUS = "upload-status"  # pattern-matching type, the state badge of each checked file's card
UPLOAD_HELD = "upload-held"  # pattern-matching type, a held file's explanation and changes, gone once confirmed
TEMPLATE_YEAR = "template-year"
TEMPLATE_COUNTRY = "template-country"
TEMPLATE_LINK = "template-link"
EXPORT_YEAR = "export-year"
EXPORT_FORMAT = "export-format"
EXPORT_TABLES_BUTTON = "export-tables-button"
EXPORT_REPORT_BUTTON = "export-report-button"
EXPORT_REPORT_DOCX_BUTTON = "export-report-docx-button"
EXPORT_WORD_MISSING = "export-word-missing"  # shown when no Chromium is installed to draw the Word report's charts
EXPORT_DOWNLOAD = "export-download"
EXPORT_STATUS = "export-status"
SUBMISSIONS_TABLE = "submissions-table"
SUBMISSIONS_COUNTRY = "submissions-country"
SUBMISSION_DETAIL = "submission-detail"
REVIEW_FROM = {"type": FILTER, "name": "from"}
REVIEW_TO = {"type": FILTER, "name": "to"}
REVIEW_CARDS = "review-cards"
REVIEW_NOTE = "review-note"
REVIEW_RETURNS_TABLE = "review-returns-table"
REVIEW_ACTIVITIES_TABLE = "review-activities-table"
REVIEW_MEASURES_TABLE = "review-measures-table"
REVIEW_MEETINGS = "review-meetings"
REVIEW_MEETING_FORM = "review-meeting-form"  # admins only: record or remove a review meeting
REVIEW_MEETING_DATE = "review-meeting-date"
REVIEW_MEETING_TITLE = "review-meeting-title"
REVIEW_MEETING_RECORD = "review-meeting-record"
REVIEW_MEETING_CHOICE = "review-meeting-choice"
REVIEW_MEETING_REMOVE = "review-meeting-remove"
REVIEW_MEETING_CONFIRM_REMOVE = "review-meeting-confirm-remove"  # "Remove the meeting of ...?" before it is removed
REVIEW_MEETING_RESULT = "review-meeting-result"
WHERE_IT_LAGS = "where-it-lags"
SCHEDULE_UPLOAD = "schedule-upload"
SCHEDULE_DRY_RUN = "schedule-dry-run"
SCHEDULE_RESULT = "schedule-result"
SCHEDULE_TABLE = "schedule-table"
SCHEDULE_VERSION = "schedule-version"
# A filter: the address keeps how the treemap is coloured, with its drill-down.
TREEMAP_COLOUR_BY = {"type": FILTER, "name": "colour"}


# Funding
FUNDING_CARDS = "funding-cards"
FUNDING_GRAPH = "funding-graph"
FUNDING_TABLE = "funding-table"
FUNDING_NOTE = "funding-note"

# Plans: the picker in the navigation, the plan a page was drawn for (every callback reads it), the Plans page
PLAN_PICKER = "plan-picker"
PLAN_DEFAULT = "plan-default"  # the plan in force today, shown when the address names none
PLAN_CHOSEN = "plan-chosen"  # the picker's clientside answer (the address it went to)
PAGE_PLAN = "page-plan"
PLANS_TABLE = "plans-table"
PLANS_CROSSWALKS_TABLE = "plans-crosswalks-table"
PLAN_ADD_UPLOAD = "plan-add-upload"
PLAN_ADD_ID = "plan-add-id"
PLAN_ADD_YEARS = "plan-add-years"
PLAN_ADD_TITLE = "plan-add-title"
PLAN_ADD_BUTTON = "plan-add-button"
PLAN_ADD_RESULT = "plan-add-result"
CROSSWALK_UPLOAD = "crosswalk-upload"
CROSSWALK_RESULT = "crosswalk-result"
CROSSWALK_FROM = "crosswalk-from"
CROSSWALK_TO = "crosswalk-to"
CROSSWALK_TEMPLATE_LINK = "crosswalk-template-link"
CROSSWALK_DRY_RUN = "crosswalk-dry-run"
CARRIED_OVER_TABLE = "carried-over-table"
CARRIED_OVER_NOTE = "carried-over-note"
MEASURE_CONTINUITY = "measure-continuity"
ACTIVITY_ACROSS_PLANS = "activity-across-plans"
