-- Members and guests with no sign-in of any kind for inactive_days (90) days, stalest first.
-- Interactive or not, failed or successful; never signed in (as far as Graph recorded, NULL)
-- comes first. Accounts created within the window are left out: they have not had the time. Needs the
-- users' sign-in activity columns (AuditLog.Read.All and Entra ID P1); where Graph refused them,
-- the load said so and every user would show as never signed in.
-- SET VARIABLE inactive_days = 30;  SET VARIABLE as_of = TIMESTAMPTZ '2026-11-30 00:00:00+00';
WITH activity AS (
  SELECT tenant_id, id, user_principal_name, display_name, user_type, account_enabled,
         created_date_time,
         greatest(last_sign_in_date_time, last_non_interactive_sign_in_date_time,
                  last_successful_sign_in_date_time) AS last_activity
  FROM users
)
SELECT tenant_id, user_type, user_principal_name, display_name, account_enabled, last_activity,
       created_date_time
FROM activity
WHERE created_date_time < coalesce(getvariable('as_of'), now()) - to_days(coalesce(getvariable('inactive_days'), 90)::INTEGER)
  AND (last_activity IS NULL
       OR last_activity < coalesce(getvariable('as_of'), now()) - to_days(coalesce(getvariable('inactive_days'), 90)::INTEGER))
ORDER BY tenant_id, last_activity NULLS FIRST, user_principal_name;
