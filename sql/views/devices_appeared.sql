-- Devices that appeared (created or restored) in the 7 days before as_of (default now).
-- From devices_history, newest first; a device since deleted is listed too, with when it went. The
-- tenant's first load is the baseline: the devices it found had not "appeared".
--   SET VARIABLE as_of = TIMESTAMPTZ '2026-11-30 00:00:00+00';
SELECT h.tenant_id, h.id, h.display_name, h.operating_system, h.trust_type,
       h.valid_from AS appeared_at,
       (SELECT min(d.valid_from) FROM devices_history d
        WHERE d.tenant_id = h.tenant_id AND d.id = h.id AND d.change_kind = 'deleted'
          AND d.valid_from > h.valid_from) AS gone_at
FROM devices_history h
WHERE h.change_kind = 'created'
  AND h.valid_from > (SELECT min(f.valid_from) FROM devices_history f WHERE f.tenant_id = h.tenant_id)
  AND h.valid_from > coalesce(getvariable('as_of'), now()) - INTERVAL 7 DAY
  AND h.valid_from <= coalesce(getvariable('as_of'), now())
ORDER BY h.tenant_id, appeared_at DESC, h.display_name;
