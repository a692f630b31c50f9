-- Who added or removed whom to or from which directory role, from the directory audits.
-- Entra records the member as the first target, with the role in its modified properties
-- (Role.DisplayName, Role.ObjectID), and the role as another target. PIM activations are included.
WITH role_audits AS (
  SELECT *,
         from_json(target_resources,
                   '[{"id":"VARCHAR","displayName":"VARCHAR","type":"VARCHAR",'
                   || '"userPrincipalName":"VARCHAR","modifiedProperties":'
                   || '[{"displayName":"VARCHAR","oldValue":"VARCHAR","newValue":"VARCHAR"}]}]')
           AS targets
  FROM directory_audits
  WHERE category = 'RoleManagement'
    AND (activity_display_name ILIKE '%member to role%'
         OR activity_display_name ILIKE '%member from role%')
), parsed AS (
  SELECT *,
         list_filter(targets, t -> t.type <> 'Role')[1] AS member,
         list_filter(targets, t -> t.type = 'Role')[1] AS role_target,
         list_transform(list_filter(flatten(list_transform(targets, t -> t.modifiedProperties)),
                                    p -> p.displayName = 'Role.DisplayName'),
                        p -> trim(coalesce(p.newValue, p.oldValue), '"'))[1] AS role_from_properties,
         list_transform(list_filter(flatten(list_transform(targets, t -> t.modifiedProperties)),
                                    p -> p.displayName = 'Role.ObjectID'),
                        p -> trim(coalesce(p.newValue, p.oldValue), '"'))[1] AS role_id_from_properties
  FROM role_audits
)
SELECT tenant_id,
       activity_date_time,
       CASE WHEN activity_display_name ILIKE '%from role%' THEN 'removed' ELSE 'added' END AS change,
       activity_display_name AS activity,
       result,
       coalesce(initiated_by_user_principal_name, initiated_by_app_display_name) AS actor,
       member.type AS member_type,
       member.id AS member_id,
       coalesce(member.userPrincipalName, member.displayName) AS member,
       coalesce(role_from_properties, role_target.displayName) AS role,
       coalesce(role_id_from_properties, role_target.id) AS role_id,
       id AS audit_id
FROM parsed
ORDER BY tenant_id, activity_date_time DESC, audit_id;
