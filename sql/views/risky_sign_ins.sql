-- Sign-ins Identity Protection rated at risk (low, medium or high), or whose risk is not settled.
-- riskLevelDuringSignIn needs Entra ID P2; without it Graph reports "hidden", which is not listed.
SELECT tenant_id,
       id,
       created_date_time,
       user_principal_name,
       app_display_name AS app,
       ip_address,
       location_country_or_region AS country,
       risk_level_during_sign_in,
       risk_level_aggregated,
       risk_state,
       risk_detail,
       risk_event_types,
       status_error_code AS error_code
FROM sign_ins
WHERE risk_level_during_sign_in IN ('low', 'medium', 'high')
   OR risk_level_aggregated IN ('low', 'medium', 'high')
   OR risk_state IN ('atRisk', 'confirmedCompromised')
ORDER BY tenant_id, created_date_time DESC, id;
