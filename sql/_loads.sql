CREATE TABLE IF NOT EXISTS _loads (
  load_id BIGINT NOT NULL,
  table_name VARCHAR NOT NULL,
  tenant_id VARCHAR NOT NULL,
  row_count BIGINT NOT NULL,
  loaded_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (load_id, table_name, tenant_id)
);
