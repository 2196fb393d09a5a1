-- Version 3: ISO audit grading on assessments; program settings (the maturity scale).
ALTER TABLE assessment ADD COLUMN grade TEXT;
CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
