-- Personal (BYOD) devices: owned as Personal, or registered (Workplace) with no ownership recorded.
-- Intune sets deviceOwnership on the devices it manages; a device only registered with Entra ID
-- (trustType Workplace) and not enrolled has none, and is the user's own.
SELECT tenant_id,
       id,
       display_name,
       entra_os(operating_system) AS os,
       operating_system_version AS os_version,
       trust_type,
       device_ownership,
       coalesce(is_managed, false) AS is_managed,
       is_compliant,
       CASE WHEN lower(device_ownership) = 'personal' THEN 'owned as personal'
            ELSE 'registered, not enrolled' END AS why,
       approximate_last_sign_in_date_time AS last_sign_in
FROM devices
WHERE lower(device_ownership) = 'personal'
   OR (device_ownership IS NULL AND trust_type = 'Workplace')
ORDER BY tenant_id, os, display_name, id;
