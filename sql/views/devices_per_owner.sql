-- Devices per registered owner, most first, with how many are unmanaged or stale (stale_days, 90).
-- Owners from device_owners (the user who joined or registered each device); owner_enabled false
-- is a departed user whose devices are still registered.
SELECT o.tenant_id,
       o.owner_id,
       o.owner_user_principal_name,
       o.owner_display_name,
       u.account_enabled AS owner_enabled,
       count(*) AS devices,
       count(*) FILTER (WHERE NOT coalesce(d.is_managed, false)) AS unmanaged,
       count(*) FILTER (WHERE d.approximate_last_sign_in_date_time IS NULL
                          OR d.approximate_last_sign_in_date_time
                             < coalesce(getvariable('as_of'), now())
                               - to_days(coalesce(getvariable('stale_days'), 90)::INTEGER))
         AS stale,
       list_sort(list(DISTINCT entra_os(d.operating_system))) AS platforms
FROM device_owners o
JOIN devices d ON d.tenant_id = o.tenant_id AND d.id = o.device_id
LEFT JOIN users u ON u.tenant_id = o.tenant_id AND u.id = o.owner_id
GROUP BY o.tenant_id, o.owner_id, o.owner_user_principal_name, o.owner_display_name,
         u.account_enabled
ORDER BY o.tenant_id, devices DESC, o.owner_user_principal_name;
