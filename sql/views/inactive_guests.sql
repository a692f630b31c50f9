-- Guests with no sign-in for inactive_days (90) days, or never, as inactive_users counts them.
-- With the invitation's state: a guest still PendingAcceptance never redeemed it.
SELECT u.tenant_id,
       u.user_principal_name,
       u.display_name,
       u.mail,
       u.external_user_state,
       u.account_enabled,
       u.created_date_time,
       i.last_activity,
       i.last_activity IS NULL AS never_signed_in
FROM inactive_users i
JOIN users u ON u.tenant_id = i.tenant_id AND u.user_principal_name = i.user_principal_name
WHERE u.user_type = 'Guest'
ORDER BY u.tenant_id, i.last_activity NULLS FIRST, u.user_principal_name;
