-- Registry version 1 (recorded as 1001): the programs this database holds, accounts,
-- memberships, API tokens, web sessions and failed sign-ins. Secrets are stored hashed.
CREATE TABLE program_entry (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    position BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO program_entry (slug, name, position, created_at) VALUES ('main', 'Main program', 0, '');
CREATE TABLE account (
    id BIGINT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    admin BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE membership (
    program TEXT NOT NULL REFERENCES program_entry (slug),
    account BIGINT NOT NULL REFERENCES account (id),
    role TEXT NOT NULL,
    PRIMARY KEY (program, account)
);
CREATE INDEX membership_by_account ON membership (account);
CREATE TABLE api_token (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    program TEXT NOT NULL REFERENCES program_entry (slug),
    role TEXT NOT NULL,
    label TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_on TEXT,
    revoked_at TEXT
);
CREATE TABLE web_session (
    hash TEXT PRIMARY KEY,
    account BIGINT NOT NULL REFERENCES account (id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE signin_failure (
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX signin_failure_by_key ON signin_failure (key, at);
