-- Version 8: management-system records (internal audits, nonconformities, management
-- reviews), each one JSON record by kind and id; every version is kept in the history.
CREATE TABLE ms_record (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    position BIGINT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE UNIQUE INDEX ms_record_by_position ON ms_record (position);
CREATE TABLE ms_record_history (
    seq BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    record TEXT NOT NULL
);
INSERT INTO id_counter (name, value) VALUES ('audit', 0), ('nonconformity', 0), ('review', 0);
