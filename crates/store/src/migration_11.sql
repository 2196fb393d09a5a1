-- Version 11: which of the program's controls each scanner check tests.
CREATE TABLE check_control (
    check_id TEXT NOT NULL,
    control TEXT NOT NULL REFERENCES control (id),
    PRIMARY KEY (check_id, control)
);
CREATE INDEX check_control_by_control ON check_control (control);
