-- Version 4: a program version that moves with every committed change; counters for
-- generated ids; stored file contents (PostgreSQL); unique positions and indexes for every
-- query a change runs.

-- One row: bumped by one in every write transaction.
CREATE TABLE program_version (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO program_version (id, version) VALUES (1, 0);

-- The last number handed out per kind of generated id ('evidence': EV-<n>). A row is
-- created on first use from the largest EV-<digits> id present; it only goes up.
CREATE TABLE id_counter (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

-- Evidence file contents by SHA-256 (lowercase hex). Used by the PostgreSQL backend; a
-- SQLite store keeps files beside the database and leaves this table empty.
CREATE TABLE evidence_file (
    sha256 TEXT PRIMARY KEY,
    content BYTEA NOT NULL
);

-- Positions were computed from COUNT(*) outside any lock, so concurrent writers could
-- give two rows the same one. Renumber 0, 1, 2 … keeping the order (ties by id), then
-- make them unique.
UPDATE framework_scope SET position = r.n
FROM (SELECT framework, ROW_NUMBER() OVER (ORDER BY position, framework) - 1 AS n
      FROM framework_scope) AS r
WHERE framework_scope.framework = r.framework AND framework_scope.position <> r.n;
UPDATE control SET position = r.n
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY position, id) - 1 AS n FROM control) AS r
WHERE control.id = r.id AND control.position <> r.n;
UPDATE evidence SET position = r.n
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY position, id) - 1 AS n FROM evidence) AS r
WHERE evidence.id = r.id AND evidence.position <> r.n;
UPDATE policy SET position = r.n
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY position, id) - 1 AS n FROM policy) AS r
WHERE policy.id = r.id AND policy.position <> r.n;
CREATE UNIQUE INDEX framework_scope_by_position ON framework_scope (position);
CREATE UNIQUE INDEX control_by_position ON control (position);
CREATE UNIQUE INDEX evidence_by_position ON evidence (position);
CREATE UNIQUE INDEX policy_by_position ON policy (position);

-- Links are read in (framework, requirement, control) order; the index serves that order
-- and the look-ups by requirement. Look-ups by control use the primary key.
DROP INDEX control_link_by_requirement;
CREATE INDEX control_link_by_requirement ON control_link (framework, requirement, control);
