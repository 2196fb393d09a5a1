-- Version 5: link review. Every link gets a number that is never reused (shown as
-- L-<n>), a review state (proposed, accepted, rejected) and who reviewed it, when.
-- Links a person made stay accepted. Links the crosswalk made before review existed
-- become proposed: nobody has reviewed them, so they no longer count until accepted.
ALTER TABLE control_link ADD COLUMN seq BIGINT;
ALTER TABLE control_link ADD COLUMN state TEXT NOT NULL DEFAULT 'accepted';
ALTER TABLE control_link ADD COLUMN reviewer TEXT;
ALTER TABLE control_link ADD COLUMN reviewed_on TEXT;
UPDATE control_link SET state = 'proposed' WHERE origin <> '{"kind":"manual"}';
UPDATE control_link SET seq = r.n
FROM (SELECT control, framework, requirement,
             ROW_NUMBER() OVER (ORDER BY framework, requirement, control) AS n
      FROM control_link) AS r
WHERE control_link.control = r.control AND control_link.framework = r.framework
  AND control_link.requirement = r.requirement;
CREATE UNIQUE INDEX control_link_by_seq ON control_link (seq);
INSERT INTO id_counter (name, value) SELECT 'link', COALESCE(MAX(seq), 0) FROM control_link;
