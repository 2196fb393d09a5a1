-- Version 13: the audit trail. Every change applied to the program is appended here in
-- the transaction that applies it, each entry chained to the one before by its hash
-- (see audit.rs). The head of the chain is kept with the program version.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before TEXT,
    after TEXT,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
ALTER TABLE program_version ADD COLUMN audit_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE program_version ADD COLUMN audit_head TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000';
