-- Everyone effectively in a group, through nested groups, from the direct memberships: users,
-- devices and service principals at any depth, and the nested groups themselves, each once
-- (UNION, not UNION ALL, so a membership cycle ends). Name the group by id or display name first:
--   SET VARIABLE group_name = 'All Sales';
WITH RECURSIVE target AS (
  SELECT tenant_id, id FROM groups
  WHERE id = getvariable('group_name') OR display_name = getvariable('group_name')
),
effective(tenant_id, group_id, member_id, member_type) AS (
  SELECT m.tenant_id, m.group_id, m.member_id, m.member_type
  FROM group_members m JOIN target t ON m.tenant_id = t.tenant_id AND m.group_id = t.id
  UNION
  SELECT e.tenant_id, e.group_id, m.member_id, m.member_type
  FROM effective e
  JOIN group_members m ON m.tenant_id = e.tenant_id AND m.group_id = e.member_id
  WHERE e.member_type = 'group'
)
SELECT DISTINCT tenant_id, member_id, member_type
FROM effective
WHERE member_id NOT IN (SELECT id FROM target)
ORDER BY tenant_id, member_type, member_id;
