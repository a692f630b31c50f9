-- Sign-ins a conditional-access policy failed, per day (UTC) and policy, most first.
-- From each sign-in's appliedConditionalAccessPolicies whose result is "failure".
WITH applied AS (
  SELECT tenant_id, created_date_time, user_id,
         unnest(from_json(applied_conditional_access_policies,
                          '[{"id":"VARCHAR","displayName":"VARCHAR","result":"VARCHAR"}]'),
                recursive := true)
  FROM sign_ins
)
SELECT tenant_id,
       CAST(created_date_time AT TIME ZONE 'UTC' AS DATE) AS day,
       id AS policy_id,
       any_value(displayName) AS policy,
       count(*) AS failures,
       count(DISTINCT user_id) AS users
FROM applied
WHERE result = 'failure'
GROUP BY tenant_id, day, policy_id
ORDER BY tenant_id, day DESC, failures DESC, policy_id;
