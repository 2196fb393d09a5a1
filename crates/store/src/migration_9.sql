-- Version 9: counters for impact assessments (IMP-<n>) and processing activities
-- (ROPA-<n>), kept in ms_record like the other management-system records.
INSERT INTO id_counter (name, value) VALUES ('impact', 0), ('processing', 0);
