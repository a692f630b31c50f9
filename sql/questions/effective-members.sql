-- Everyone effectively in a group, through nested groups: users, devices, service principals and
-- the nested groups themselves at any depth, each once, as Graph's transitiveMembers lists them
-- (group_members_transitive, computed from the direct memberships; a membership cycle ends, and
-- the group is never its own member). Name the group by id or display name first:
--   SET VARIABLE group_name = 'All Sales';
SELECT t.tenant_id, t.member_id, t.member_type, t.member_display_name
FROM group_members_transitive t
JOIN groups g ON g.tenant_id = t.tenant_id AND g.id = t.group_id
WHERE g.id = getvariable('group_name') OR g.display_name = getvariable('group_name')
ORDER BY t.tenant_id, t.member_type, t.member_id;
