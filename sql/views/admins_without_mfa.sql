-- Users who hold a directory role, active or PIM-eligible, with no MFA method registered.
-- Each with their roles. (A role held through a group is not expanded here.)
WITH admins AS (
  SELECT tenant_id, principal_id, role_definition_id, 'active' AS how FROM role_assignments
  UNION ALL
  SELECT tenant_id, principal_id, role_definition_id, 'eligible' FROM role_eligibility_schedules
)
SELECT u.tenant_id,
       u.user_principal_name,
       list_sort(list(DISTINCT d.display_name || ' (' || a.how || ')')) AS roles
FROM admins a
JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.principal_id
JOIN role_definitions d ON d.tenant_id = a.tenant_id AND d.id = a.role_definition_id
LEFT JOIN auth_method_registrations r ON r.tenant_id = a.tenant_id AND r.user_id = a.principal_id
WHERE NOT coalesce(r.is_mfa_registered, false)
GROUP BY u.tenant_id, u.user_principal_name
ORDER BY u.tenant_id, u.user_principal_name;
