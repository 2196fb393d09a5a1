-- Version 6: the Statement of Applicability's inclusion reasons (a comma-separated list of
-- risk-treatment, legal, contractual, business) and the date a control not yet
-- implemented is planned for.
ALTER TABLE assessment ADD COLUMN included_for TEXT NOT NULL DEFAULT '';
ALTER TABLE assessment ADD COLUMN planned TEXT;
