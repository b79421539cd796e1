/** Versioned schema migrations; each runs in its own transaction. Never edit a shipped one. */
export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE apps (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE workloads (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  source_kind TEXT NOT NULL,
  source_config TEXT NOT NULL,
  app_id TEXT REFERENCES apps(id) ON DELETE SET NULL,
  parent_id TEXT REFERENCES workloads(id) ON DELETE SET NULL,
  notification_url TEXT,
  notification_secret TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE triggers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  config TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  require_signature INTEGER NOT NULL DEFAULT 1,
  secret_hash TEXT NOT NULL UNIQUE,
  secret_sealed TEXT NOT NULL,
  signing_secret_sealed TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE trigger_bindings (
  id TEXT PRIMARY KEY,
  trigger_id TEXT NOT NULL REFERENCES triggers(id) ON DELETE CASCADE,
  workload_id TEXT NOT NULL REFERENCES workloads(id) ON DELETE CASCADE,
  config TEXT NOT NULL DEFAULT '{}',
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (trigger_id, workload_id)
);
CREATE TABLE containers (
  id TEXT PRIMARY KEY,
  workload_id TEXT NOT NULL REFERENCES workloads(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  container_id TEXT UNIQUE,
  name TEXT,
  image TEXT,
  port INTEGER,
  route_id TEXT,
  subdomain TEXT,
  state TEXT NOT NULL DEFAULT 'unknown',
  last_seen_at TEXT,
  extra TEXT NOT NULL DEFAULT '{}',
  UNIQUE (workload_id, role)
);
CREATE TABLE workload_env (
  workload_id TEXT NOT NULL REFERENCES workloads(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value_sealed TEXT NOT NULL,
  secret INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (workload_id, key)
);
CREATE TABLE workload_state (
  workload_id TEXT PRIMARY KEY REFERENCES workloads(id) ON DELETE CASCADE,
  doc TEXT NOT NULL DEFAULT '{}',
  updated_at TEXT NOT NULL
);
CREATE TABLE deploys (
  id TEXT PRIMARY KEY,
  workload_id TEXT NOT NULL REFERENCES workloads(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  intent TEXT NOT NULL,
  trigger_id TEXT,
  binding_id TEXT,
  delivery_id TEXT,
  progress TEXT,
  log TEXT NOT NULL DEFAULT '[]',
  error TEXT,
  release TEXT,
  queued_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT
);
CREATE INDEX deploys_workload ON deploys (workload_id, queued_at);
CREATE INDEX deploys_status ON deploys (status);
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  trigger_id TEXT NOT NULL REFERENCES triggers(id) ON DELETE CASCADE,
  vendor TEXT,
  external_id TEXT,
  status INTEGER NOT NULL,
  signature TEXT NOT NULL,
  error TEXT,
  note TEXT,
  events TEXT NOT NULL DEFAULT '[]',
  outcomes TEXT NOT NULL DEFAULT '[]',
  headers TEXT NOT NULL DEFAULT '{}',
  body BLOB,
  received_at TEXT NOT NULL,
  redelivery_of TEXT
);
CREATE INDEX deliveries_trigger ON deliveries (trigger_id, received_at);
CREATE INDEX deliveries_external ON deliveries (trigger_id, external_id);
`,
  },
  {
    version: 2,
    name: 'sessions',
    sql: `
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
`,
  },
  {
    version: 3,
    name: 'deploy-config-and-urls',
    sql: `
ALTER TABLE deploys ADD COLUMN config TEXT;
ALTER TABLE deploys ADD COLUMN urls TEXT;
CREATE INDEX deploys_workload_status ON deploys (workload_id, status);
`,
  },
  {
    version: 4,
    name: 'container-node',
    sql: `
ALTER TABLE containers ADD COLUMN node TEXT;
`,
  },
  {
    version: 5,
    name: 'active-deploys-index',
    sql: `
DROP INDEX IF EXISTS deploys_status;
DROP INDEX IF EXISTS deploys_workload_status;
CREATE INDEX deploys_active ON deploys (workload_id, status) WHERE status IN ('queued', 'running');
`,
  },
  {
    version: 6,
    name: 'deploy-log-lines',
    sql: `
CREATE TABLE deploy_logs (
  deploy_id TEXT NOT NULL REFERENCES deploys(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  level TEXT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (deploy_id, seq)
) WITHOUT ROWID;
`,
  },
  {
    version: 7,
    name: 'fan-out-generation',
    // A counter every write to workloads or bindings moves, whoever writes (this process, the
    // CLI, a cascade from a deleted trigger or app): the fan-out keeps a trigger's bindings and
    // workloads in memory while it stands still (store/fanOutTargets.ts).
    sql: `
CREATE TABLE fan_out_generation (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO fan_out_generation (id, n) VALUES (1, 0);
CREATE TRIGGER workloads_inserted AFTER INSERT ON workloads BEGIN UPDATE fan_out_generation SET n = n + 1; END;
CREATE TRIGGER workloads_updated AFTER UPDATE ON workloads BEGIN UPDATE fan_out_generation SET n = n + 1; END;
CREATE TRIGGER workloads_deleted AFTER DELETE ON workloads BEGIN UPDATE fan_out_generation SET n = n + 1; END;
CREATE TRIGGER bindings_inserted AFTER INSERT ON trigger_bindings BEGIN UPDATE fan_out_generation SET n = n + 1; END;
CREATE TRIGGER bindings_updated AFTER UPDATE ON trigger_bindings BEGIN UPDATE fan_out_generation SET n = n + 1; END;
CREATE TRIGGER bindings_deleted AFTER DELETE ON trigger_bindings BEGIN UPDATE fan_out_generation SET n = n + 1; END;
`,
  },
  {
    version: 8,
    name: 'deliveries-by-trigger',
    // One index of a trigger's deliveries in arrival order (trigger_id, then the rowid it
    // carries): a page of the list reads only its rows, where (trigger_id, received_at) made
    // SQLite read and sort every row the trigger has, bodies and all. The (trigger_id,
    // external_id) index goes: the duplicate check finds the earlier delivery's id in memory
    // (store/deliveries.ts), and its random vendor ids put every insert on a page of its own.
    sql: `
DROP INDEX IF EXISTS deliveries_trigger;
DROP INDEX IF EXISTS deliveries_external;
CREATE INDEX deliveries_by_trigger ON deliveries (trigger_id);
`,
  },
]
