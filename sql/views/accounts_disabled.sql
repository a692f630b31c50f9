-- When accounts were disabled, from users_history, dated by the load that saw each change.
-- Each version with account_enabled false that follows one with it true. Set user_ref to one user's id
-- or user principal name, or leave it unset for every user:
--   SET VARIABLE user_ref = 'adele.vance58@contoso.onmicrosoft.com';
SELECT tenant_id, id, user_principal_name, display_name, valid_from AS disabled_at,
       valid_to AS enabled_again_at
FROM (
  SELECT *, lag(account_enabled) OVER (PARTITION BY tenant_id, id ORDER BY valid_from) AS before
  FROM users_history
  WHERE change_kind <> 'deleted'
)
WHERE account_enabled = false AND before = true
  AND (getvariable('user_ref') IS NULL
       OR id = getvariable('user_ref') OR user_principal_name = getvariable('user_ref'))
ORDER BY tenant_id, disabled_at, user_principal_name;
