-- Version 12: exceptions to scanner checks: a failing check on a resource (or on every
-- resource, '*') accepted for a while, with why and by whom.
CREATE TABLE check_exception (
    check_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    justification TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    until TEXT NOT NULL,
    recorded_on TEXT NOT NULL,
    PRIMARY KEY (check_id, resource)
);
