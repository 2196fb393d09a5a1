-- Version 7: the risk register. Each risk is one JSON record (ratings, treatment,
-- controls, acceptance, plan); every version ever recorded is kept in the history. The
-- risk matrix lives in `setting` under 'risk-matrix'.
CREATE TABLE risk (
    id TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    record TEXT NOT NULL
);
CREATE UNIQUE INDEX risk_by_position ON risk (position);
CREATE TABLE risk_history (
    seq BIGINT PRIMARY KEY,
    risk TEXT NOT NULL,
    record TEXT NOT NULL
);
INSERT INTO id_counter (name, value) VALUES ('risk', 0);
