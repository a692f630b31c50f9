-- Devices with no sign-in for stale_days (90) days before as_of (default now), never first.
-- Graph's approximateLastSignInDateTime is updated about every 14 days, so a window under 14 days
-- reads activity that is not yet recorded.  SET VARIABLE stale_days = 180;
SELECT tenant_id,
       id,
       display_name,
       entra_os(operating_system) AS os,
       entra_os_version(operating_system, operating_system_version) AS os_version,
       trust_type,
       device_ownership,
       coalesce(is_managed, false) AS is_managed,
       is_compliant,
       account_enabled,
       approximate_last_sign_in_date_time AS last_sign_in,
       date_diff('day', approximate_last_sign_in_date_time,
                 coalesce(getvariable('as_of'), now())) AS days_since_sign_in
FROM devices
WHERE approximate_last_sign_in_date_time IS NULL
   OR approximate_last_sign_in_date_time < coalesce(getvariable('as_of'), now())
                                           - to_days(coalesce(getvariable('stale_days'), 90)::INTEGER)
ORDER BY tenant_id, last_sign_in NULLS FIRST, display_name, id;
