-- App and service principal certificates and secrets expired or expiring within expiry_days (30).
-- Soonest first, with their owner's name. SET VARIABLE expiry_days = 60; as_of as elsewhere.
SELECT c.tenant_id,
       c.owner_kind,
       coalesce(a.display_name, sp.display_name) AS owner,
       c.credential_type,
       c.display_name,
       c.key_id,
       c.end_date_time,
       c.end_date_time < coalesce(getvariable('as_of'), now()) AS expired
FROM app_credentials c
LEFT JOIN applications a ON a.tenant_id = c.tenant_id AND a.id = c.owner_id
LEFT JOIN service_principals sp ON sp.tenant_id = c.tenant_id AND sp.id = c.owner_id
WHERE c.end_date_time < coalesce(getvariable('as_of'), now())
                      + to_days(coalesce(getvariable('expiry_days'), 30)::INTEGER)
ORDER BY c.end_date_time, c.key_id;
