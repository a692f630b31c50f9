-- One row per table and load: what the load wrote and what the table then held for the tenant.
CREATE TABLE IF NOT EXISTS _loads (
  load_id BIGINT NOT NULL,
  table_name VARCHAR NOT NULL,
  tenant_id VARCHAR NOT NULL,
  rows_loaded BIGINT,      -- rows this load wrote: what it read, less skipped items and ids read twice
  table_rows BIGINT NOT NULL, -- the tenant's rows in the table after the load
  loaded_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (load_id, table_name, tenant_id)
);
