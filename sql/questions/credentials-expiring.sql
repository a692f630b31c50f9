-- Certificates and client secrets of applications and service principals that have expired or
-- expire within 30 days, soonest first, with their owner's name.
SELECT c.tenant_id,
       c.owner_kind,
       coalesce(a.display_name, sp.display_name) AS owner,
       c.credential_type,
       c.display_name,
       c.key_id,
       c.end_date_time,
       c.end_date_time < now() AS expired
FROM app_credentials c
LEFT JOIN applications a ON a.tenant_id = c.tenant_id AND a.id = c.owner_id
LEFT JOIN service_principals sp ON sp.tenant_id = c.tenant_id AND sp.id = c.owner_id
WHERE c.end_date_time < now() + INTERVAL 30 DAY
ORDER BY c.end_date_time, c.key_id;
