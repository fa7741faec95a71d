-- Warehouse tables. Created by `aptmon init`; every statement is idempotent.

CREATE SEQUENCE IF NOT EXISTS submission_seq START 1;

CREATE TABLE IF NOT EXISTS plans (
    plan_id      VARCHAR PRIMARY KEY,
    title        VARCHAR NOT NULL,
    start_year   INTEGER NOT NULL,
    end_year     INTEGER NOT NULL,
    source_file  VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    loaded_at    TIMESTAMP NOT NULL
);
-- A plan loaded as an example (the demo's second plan, not an official text) says so wherever it shows; a
-- warehouse made before there were several plans gains the column, its plans official.
ALTER TABLE plans ADD COLUMN IF NOT EXISTS is_example BOOLEAN DEFAULT FALSE;

CREATE TABLE IF NOT EXISTS pillars (
    plan_id  VARCHAR NOT NULL,
    pillar   INTEGER NOT NULL,
    roman    VARCHAR NOT NULL,
    title    VARCHAR NOT NULL,
    PRIMARY KEY (plan_id, pillar)
);

-- Measures that sit directly under a pillar (4.1, 5.x, 6.x) are grouped in a section with
-- id '<pillar>.0' and is_direct_group = true.
CREATE TABLE IF NOT EXISTS sections (
    plan_id         VARCHAR NOT NULL,
    section_id      VARCHAR NOT NULL,
    pillar          INTEGER NOT NULL,
    title           VARCHAR NOT NULL,
    ordinal         INTEGER NOT NULL,
    is_direct_group BOOLEAN NOT NULL,
    PRIMARY KEY (plan_id, section_id)
);

CREATE TABLE IF NOT EXISTS measures (
    plan_id     VARCHAR NOT NULL,
    measure_id  VARCHAR NOT NULL,
    pillar      INTEGER NOT NULL,
    section_id  VARCHAR NOT NULL,
    parent_id   VARCHAR NOT NULL,
    ordinal     INTEGER NOT NULL,
    text        VARCHAR NOT NULL,
    PRIMARY KEY (plan_id, measure_id)
);

CREATE TABLE IF NOT EXISTS sub_items (
    plan_id      VARCHAR NOT NULL,
    sub_item_id  VARCHAR NOT NULL,
    measure_id   VARCHAR NOT NULL,
    letter       VARCHAR NOT NULL,
    text         VARCHAR NOT NULL,
    PRIMARY KEY (plan_id, sub_item_id)
);

-- Every upload, whatever its outcome. The current version of a (country, year) return is its
-- newest accepted row with superseded_by NULL. A held upload (it would undo part of the record and
-- was not confirmed) points through superseded_by at the version it became once confirmed.
CREATE TABLE IF NOT EXISTS submissions (
    submission_id   INTEGER PRIMARY KEY DEFAULT nextval('submission_seq'),
    plan_id         VARCHAR NOT NULL,
    country         VARCHAR,
    reporting_year  INTEGER,
    version         INTEGER,
    file_name       VARCHAR NOT NULL,
    stored_path     VARCHAR,
    file_format     VARCHAR,
    sha256          VARCHAR NOT NULL,
    submitted_by    VARCHAR NOT NULL,
    submitted_at    TIMESTAMP NOT NULL,
    received_on     DATE NOT NULL,
    status          VARCHAR NOT NULL CHECK (status IN ('accepted', 'rejected', 'unchanged', 'held')),
    superseded_by   INTEGER,
    activities      INTEGER NOT NULL DEFAULT 0,
    errors          INTEGER NOT NULL DEFAULT 0,
    warnings        INTEGER NOT NULL DEFAULT 0,
    is_synthetic    BOOLEAN NOT NULL DEFAULT false,
    -- A held upload whose changes to the record were confirmed later: when and by whom. Confirming turns the held
    -- row itself into the version it became (or into unchanged), so each upload stays one row of the log.
    confirmed_at    TIMESTAMP,
    confirmed_by    VARCHAR
);
-- A warehouse made before held uploads could be confirmed in place gains the columns (empty: nothing confirmed).
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS confirmed_at TIMESTAMP;
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS confirmed_by VARCHAR;

CREATE TABLE IF NOT EXISTS activities (
    submission_id   INTEGER NOT NULL,
    plan_id         VARCHAR NOT NULL,
    country         VARCHAR NOT NULL,
    reporting_year  INTEGER NOT NULL,
    activity_id     VARCHAR NOT NULL,
    title           VARCHAR NOT NULL,
    status          VARCHAR NOT NULL CHECK (status IN ('planned', 'ongoing', 'suspended', 'completed', 'cancelled')),
    start_date      DATE,
    end_date        DATE,
    lead_agency     VARCHAR,
    partners        VARCHAR,
    funding_source  VARCHAR,
    budget_usd      DOUBLE,
    description     VARCHAR,
    source_sheet    VARCHAR,
    source_row      INTEGER
);

CREATE TABLE IF NOT EXISTS activity_measures (
    submission_id   INTEGER NOT NULL,
    plan_id         VARCHAR NOT NULL,
    country         VARCHAR NOT NULL,
    activity_id     VARCHAR NOT NULL,
    measure_id      VARCHAR NOT NULL,
    sub_item        VARCHAR
);

CREATE TABLE IF NOT EXISTS issues (
    submission_id   INTEGER NOT NULL,
    severity        VARCHAR NOT NULL CHECK (severity IN ('error', 'warning')),
    code            VARCHAR NOT NULL,
    sheet           VARCHAR,
    "row"           INTEGER,
    "column"        VARCHAR,
    value           VARCHAR,
    message         VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
    username        VARCHAR PRIMARY KEY,
    password_hash   VARCHAR NOT NULL,
    role            VARCHAR NOT NULL CHECK (role IN ('viewer', 'analyst', 'evaluator', 'admin')),
    country         VARCHAR,
    created_at      TIMESTAMP NOT NULL,
    -- Raised to end every session of the user (sign-out, new password or role, an admin's order):
    -- a session carries the value it was signed in under and counts only while that still matches.
    session_epoch   INTEGER NOT NULL DEFAULT 0
);
-- A warehouse made before sessions could be ended on the server gains the column (its old lockout columns
-- stay, unused: sign-in throttling lives in the dashboard, by client and account).
ALTER TABLE users ADD COLUMN IF NOT EXISTS session_epoch INTEGER DEFAULT 0;
-- A disabled user cannot sign in and has no session; the account and its history stay. Added for the admin's users
-- page: a warehouse made before it gains the column, every user enabled.
ALTER TABLE users ADD COLUMN IF NOT EXISTS disabled BOOLEAN DEFAULT false;

-- Every change to a user, by whom and when: added, role or country changed, disabled or enabled, password reset,
-- sessions ended (the users page shows them; the command line records itself as "command line").
CREATE SEQUENCE IF NOT EXISTS user_change_seq START 1;

CREATE TABLE IF NOT EXISTS user_changes (
    change_id   INTEGER PRIMARY KEY DEFAULT nextval('user_change_seq'),
    changed_at  TIMESTAMP NOT NULL,
    changed_by  VARCHAR NOT NULL,
    username    VARCHAR NOT NULL,
    action      VARCHAR NOT NULL,
    detail      VARCHAR
);

-- The 13 APT countries, written from etl/plan/countries.py by `aptmon init`; the metric views' country scopes.
CREATE TABLE IF NOT EXISTS countries (
    iso3          VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    country_group VARCHAR NOT NULL,
    ordinal       INTEGER NOT NULL
);

-- Metric thresholds and the reporting deadline, written from etl/plan/definitions.py by `aptmon init`.
CREATE TABLE IF NOT EXISTS settings (
    name        VARCHAR PRIMARY KEY,
    value       DOUBLE NOT NULL,
    description VARCHAR NOT NULL
);

-- The implementation schedule of each plan (Work Plan item 6.3), every version kept. Each load is recorded like
-- a submission: who, when, the file's SHA-256. An accepted load is a new version with its entries; a load that says
-- exactly what the current version says is recorded as unchanged (its version is the current one, no entries).
-- A rejected file is not recorded: it changes nothing. The metrics use the newest accepted version (view
-- current_schedule); with none loaded, every measure takes the default (view measure_schedule).
CREATE SEQUENCE IF NOT EXISTS schedule_load_seq START 1;

CREATE TABLE IF NOT EXISTS schedule_loads (
    load_id         INTEGER PRIMARY KEY DEFAULT nextval('schedule_load_seq'),
    plan_id         VARCHAR NOT NULL,
    version         INTEGER NOT NULL,
    file_name       VARCHAR NOT NULL,
    sha256          VARCHAR NOT NULL,
    loaded_by       VARCHAR NOT NULL,
    loaded_at       TIMESTAMP NOT NULL,
    status          VARCHAR NOT NULL CHECK (status IN ('accepted', 'unchanged')),
    measures_listed INTEGER NOT NULL,
    warnings        INTEGER NOT NULL DEFAULT 0,
    is_example      BOOLEAN NOT NULL DEFAULT false
);

-- What one accepted version says of each measure it lists; a NULL field was left blank and takes its default.
CREATE TABLE IF NOT EXISTS schedule_entries (
    load_id         INTEGER NOT NULL,
    plan_id         VARCHAR NOT NULL,
    measure_id      VARCHAR NOT NULL,
    kind            VARCHAR CHECK (kind IN ('one-off', 'recurring')),
    start_year      INTEGER,
    due_year        INTEGER,
    lead_countries  VARCHAR[],
    note            VARCHAR,
    PRIMARY KEY (load_id, measure_id)
);

-- The CPR Plus Three meetings that review the plan (Work Plan item 6.5), recorded by an admin with
-- `aptmon reviews add`; the dashboard's review page compares the warehouse between two of them.
CREATE TABLE IF NOT EXISTS review_meetings (
    meeting_on   DATE PRIMARY KEY,
    title        VARCHAR NOT NULL,
    recorded_by  VARCHAR NOT NULL,
    recorded_at  TIMESTAMP NOT NULL
);
-- The plan a meeting reviews; NULL for a meeting recorded before the monitor held several plans (it reviewed
-- whichever plan was in force, and shows for every plan).
ALTER TABLE review_meetings ADD COLUMN IF NOT EXISTS plan_id VARCHAR;

-- Crosswalks: which measures of a later plan continue which measures of an earlier one (docs/plans.md). Every load
-- of a crosswalk workbook is kept as a new version of its (from, to) pair; the views use the newest one.
CREATE SEQUENCE IF NOT EXISTS crosswalk_load_seq START 1;

CREATE TABLE IF NOT EXISTS crosswalk_loads (
    load_id         INTEGER PRIMARY KEY DEFAULT nextval('crosswalk_load_seq'),
    from_plan_id    VARCHAR NOT NULL,
    to_plan_id      VARCHAR NOT NULL,
    version         INTEGER NOT NULL,
    source_file     VARCHAR NOT NULL,
    source_sha256   VARCHAR NOT NULL,
    loaded_at       TIMESTAMP NOT NULL,
    loaded_by       VARCHAR NOT NULL
);

-- One row per link of one version: one to one, one to many and many to one are several rows.
CREATE TABLE IF NOT EXISTS crosswalk_links (
    load_id          INTEGER NOT NULL,
    from_plan_id     VARCHAR NOT NULL,
    from_measure_id  VARCHAR NOT NULL,
    to_plan_id       VARCHAR NOT NULL,
    to_measure_id    VARCHAR NOT NULL,
    relation         VARCHAR NOT NULL CHECK (relation IN ('continues')),
    PRIMARY KEY (load_id, from_measure_id, to_measure_id)
);

-- The schema version of the warehouse, one row per upgrade (etl/warehouse/upgrade.py): `aptmon init` and the
-- server's start bring a warehouse of an earlier release up to this one and refuse one of a newer release.
CREATE TABLE IF NOT EXISTS schema_versions (
    version      INTEGER PRIMARY KEY,
    applied_at   TIMESTAMP NOT NULL,
    note         VARCHAR NOT NULL
);

-- The SHA-256 of the view and macro definitions (sql/[0-9]*.sql) the warehouse holds, one row: a release that
-- changes only those keeps the schema version, and the server's start re-creates them when this differs.
CREATE TABLE IF NOT EXISTS view_definitions (
    fingerprint  VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
