-- Enabled members and guests with no MFA method registered, admins first.
-- From the registration details report; a user it does not list has none either.
SELECT u.tenant_id,
       u.user_principal_name,
       u.display_name,
       u.user_type,
       coalesce(r.is_admin, false) AS is_admin,
       coalesce(r.methods_registered, []) AS methods_registered,
       r.last_updated_date_time AS registration_updated
FROM users u
LEFT JOIN auth_method_registrations r ON r.tenant_id = u.tenant_id AND r.user_id = u.id
WHERE u.account_enabled AND NOT coalesce(r.is_mfa_registered, false)
ORDER BY u.tenant_id, is_admin DESC, u.user_principal_name;
