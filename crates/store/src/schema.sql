-- crosswalk program schema, version 1. Shared by SQLite and PostgreSQL: only TEXT and
-- BIGINT columns. Dates are ISO 8601 text; JSON columns hold small structured values.
CREATE TABLE program (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    organization TEXT NOT NULL,
    scope TEXT NOT NULL,
    systems TEXT NOT NULL
);
CREATE TABLE framework_scope (
    framework TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    target TEXT NOT NULL,
    target_date TEXT
);
CREATE TABLE control (
    id TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    owner TEXT NOT NULL,
    status TEXT NOT NULL,
    frequency TEXT NOT NULL
);
CREATE TABLE control_link (
    control TEXT NOT NULL REFERENCES control (id),
    framework TEXT NOT NULL,
    requirement TEXT NOT NULL,
    coverage TEXT NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY (control, framework, requirement)
);
CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    location TEXT NOT NULL,
    collected TEXT NOT NULL,
    valid_until TEXT
);
CREATE TABLE evidence_control (
    evidence TEXT NOT NULL REFERENCES evidence (id),
    control TEXT NOT NULL REFERENCES control (id),
    PRIMARY KEY (evidence, control)
);
CREATE TABLE assessment (
    framework TEXT NOT NULL,
    requirement TEXT NOT NULL,
    applicable BIGINT NOT NULL,
    justification TEXT NOT NULL,
    result TEXT,
    reason TEXT NOT NULL,
    maturity BIGINT,
    assessor TEXT NOT NULL,
    assessed_on TEXT NOT NULL,
    PRIMARY KEY (framework, requirement)
);
-- Every assessment ever recorded, for trends; never updated.
CREATE TABLE assessment_history (
    seq BIGINT NOT NULL,
    framework TEXT NOT NULL,
    requirement TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (seq)
);
CREATE INDEX control_link_by_requirement ON control_link (framework, requirement);
CREATE INDEX evidence_control_by_control ON evidence_control (control);
