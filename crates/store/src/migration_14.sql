-- Version 14: collaboration. Assignments (keyed by subject), comments (CM-<n>), evidence
-- requests (ER-<n>) and audit engagements (AE-<n>), each a JSON record; outgoing
-- webhooks (WH-<n>) with their delivery state: the last audit entry delivered, failed
-- attempts, when to try next, and a lease held by the process delivering them.
CREATE TABLE collab_item (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    position BIGINT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE UNIQUE INDEX collab_item_by_position ON collab_item (position);
INSERT INTO id_counter (name, value) VALUES ('comment', 0), ('request', 0), ('engagement', 0), ('webhook', 0);
CREATE TABLE webhook (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    events TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    delivered_seq BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL,
    last_error TEXT,
    last_status BIGINT
);
