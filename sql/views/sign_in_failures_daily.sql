-- Failed sign-ins per day (UTC), error code, application and country, most first.
-- A failure is any sign-in whose status errorCode is not 0.
SELECT tenant_id,
       CAST(created_date_time AT TIME ZONE 'UTC' AS DATE) AS day,
       status_error_code AS error_code,
       any_value(status_failure_reason) AS failure_reason,
       app_display_name AS app,
       location_country_or_region AS country,
       count(*) AS failures,
       count(DISTINCT user_id) AS users
FROM sign_ins
WHERE status_error_code <> 0
GROUP BY tenant_id, day, error_code, app, country
ORDER BY tenant_id, day DESC, failures DESC, error_code, app, country;
