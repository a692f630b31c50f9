-- Everyone effectively in a group through nested groups, at any depth, each once.
-- Users, devices, service principals and the nested groups themselves at any depth, each once, as Graph's transitiveMembers lists them
-- (group_members_transitive, computed from the direct memberships; a membership cycle ends, and
-- the group is never its own member). Every group's, or name one by id or display name:
--   SET VARIABLE group_name = 'All Engineering 170';
SELECT t.tenant_id, g.display_name AS group_name, t.member_id, t.member_type, t.member_display_name
FROM group_members_transitive t
JOIN groups g ON g.tenant_id = t.tenant_id AND g.id = t.group_id
WHERE getvariable('group_name') IS NULL
   OR g.id = getvariable('group_name') OR g.display_name = getvariable('group_name')
ORDER BY t.tenant_id, g.display_name, t.member_type, t.member_id;
