-- Disabled users who still hold licences, with the licences by name.
SELECT u.tenant_id,
       u.user_principal_name,
       list_sort(list(coalesce(s.sku_part_number, u.sku_id))) AS licences
FROM (SELECT tenant_id, user_principal_name, unnest(assigned_license_sku_ids) AS sku_id
      FROM users
      WHERE NOT account_enabled) u
LEFT JOIN subscribed_skus s ON s.tenant_id = u.tenant_id AND s.sku_id = u.sku_id
GROUP BY ALL
ORDER BY u.tenant_id, u.user_principal_name;
