-- Licences bought versus assigned, per tenant and SKU: what is paid for and unused, or short.
SELECT s.tenant_id,
       s.sku_part_number,
       s.capability_status,
       s.prepaid_enabled AS bought,
       s.consumed_units AS consumed,
       count(u.id) AS assigned,
       s.prepaid_enabled - count(u.id) AS unassigned
FROM subscribed_skus s
LEFT JOIN (SELECT tenant_id, id, unnest(assigned_license_sku_ids) AS sku_id FROM users) u
  ON u.tenant_id = s.tenant_id AND u.sku_id = s.sku_id
GROUP BY s.tenant_id, s.sku_part_number, s.capability_status, s.prepaid_enabled, s.consumed_units
ORDER BY s.tenant_id, s.sku_part_number;
