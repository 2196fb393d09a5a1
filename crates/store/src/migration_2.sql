-- Version 2: policies, reviewer sign-off on assessments, dated readiness snapshots.
CREATE TABLE policy (
    id TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    version TEXT NOT NULL,
    owner TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_on TEXT,
    next_review TEXT,
    location TEXT NOT NULL
);
-- Every version ever recorded; never updated.
CREATE TABLE policy_history (
    seq BIGINT PRIMARY KEY,
    policy TEXT NOT NULL,
    record TEXT NOT NULL
);
ALTER TABLE assessment ADD COLUMN reviewer TEXT;
ALTER TABLE assessment ADD COLUMN reviewed_on TEXT;
CREATE TABLE readiness_snapshot (
    taken_on TEXT NOT NULL,
    framework TEXT NOT NULL,
    counts TEXT NOT NULL,
    PRIMARY KEY (taken_on, framework)
);
