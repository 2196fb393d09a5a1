-- Version 10: scanner results. One row per imported file (by SHA-256, so a file is
-- imported once) and one row per check result of it.
CREATE TABLE result_import (
    sha256 TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    format TEXT NOT NULL,
    tool TEXT NOT NULL,
    tool_version TEXT,
    imported_at TEXT NOT NULL,
    results BIGINT NOT NULL
);
CREATE UNIQUE INDEX result_import_by_seq ON result_import (seq);
CREATE TABLE check_result (
    import_seq BIGINT NOT NULL,
    n BIGINT NOT NULL,
    check_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    status TEXT NOT NULL,
    observed TEXT,
    severity TEXT,
    title TEXT NOT NULL,
    requirements TEXT NOT NULL,
    PRIMARY KEY (import_seq, n)
);
CREATE INDEX check_result_by_check ON check_result (check_id, resource);
