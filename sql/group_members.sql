CREATE TABLE IF NOT EXISTS group_members (
  tenant_id VARCHAR NOT NULL,
  group_id VARCHAR,
  member_id VARCHAR,
  member_type VARCHAR,
  member_display_name VARCHAR,
  load_id BIGINT NOT NULL,
  loaded_at TIMESTAMPTZ NOT NULL
);
