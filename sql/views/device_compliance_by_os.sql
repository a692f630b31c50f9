-- Unmanaged and non-compliant devices by platform and release, worst first.
-- Platforms as entra_os folds them ("Windows10" is Windows, "linux" is Linux). Unmanaged: no MDM
-- (isManaged not true); non-compliant: managed, and isCompliant not true.
SELECT tenant_id,
       entra_os(operating_system) AS os,
       entra_os_version(operating_system, operating_system_version) AS os_version,
       count(*) AS devices,
       count(*) FILTER (WHERE NOT coalesce(is_managed, false)) AS unmanaged,
       count(*) FILTER (WHERE coalesce(is_managed, false) AND NOT coalesce(is_compliant, false))
         AS non_compliant,
       count(*) FILTER (WHERE coalesce(is_managed, false) AND coalesce(is_compliant, false))
         AS compliant
FROM devices
GROUP BY ALL
ORDER BY tenant_id, unmanaged + non_compliant DESC, os, os_version;
