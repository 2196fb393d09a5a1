-- Version 15: our own checks. Snapshots of exported system data (each a stored file, by
-- dataset and SHA-256), and what a check says of a result (why it failed).
CREATE TABLE data_snapshot (
    dataset TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    seq BIGINT NOT NULL,
    source TEXT NOT NULL,
    collected_at TEXT NOT NULL,
    added_at TEXT NOT NULL,
    items BIGINT NOT NULL,
    PRIMARY KEY (dataset, sha256)
);
ALTER TABLE check_result ADD COLUMN message TEXT;
