-- Version 15: our own checks. Snapshots of exported system data (each a stored file, by
-- SHA-256; the same content may come back later, when a system returns to an earlier
-- state), and what a check says of a result (why it failed).
CREATE TABLE data_snapshot (
    seq BIGINT PRIMARY KEY,
    dataset TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    collected_at TEXT NOT NULL,
    added_at TEXT NOT NULL,
    items BIGINT NOT NULL
);
CREATE INDEX data_snapshot_by_dataset ON data_snapshot (dataset, seq);
ALTER TABLE check_result ADD COLUMN message TEXT;
