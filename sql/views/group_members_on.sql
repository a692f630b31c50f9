-- Groups' direct members as they were at as_of (default now), from group_members_history.
-- The versions that began at or before it and had not ended by then. Dates are those of the loads that saw each
-- change. Every group's, or set one (by id or display name), and the time:
--   SET VARIABLE group_ref = 'All Engineering 170';  SET VARIABLE as_of = TIMESTAMPTZ '2026-11-24 00:00:00+00';
SELECT h.tenant_id, h.group_id, h.member_id, h.member_type, h.member_display_name,
       h.valid_from AS member_since
FROM group_members_history h
WHERE h.change_kind <> 'deleted'
  AND h.valid_from <= coalesce(getvariable('as_of'), now())
  AND (h.valid_to IS NULL OR h.valid_to > coalesce(getvariable('as_of'), now()))
  AND (getvariable('group_ref') IS NULL OR h.group_id IN (
    SELECT id FROM groups_history
    WHERE id = getvariable('group_ref') OR display_name = getvariable('group_ref')))
ORDER BY h.tenant_id, h.group_id, h.member_type, h.member_display_name, h.member_id;
