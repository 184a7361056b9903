import type { Migration } from "../migrate";

/** The registry's SQLite schema: append-only, never edit an entry that has run anywhere. */
export const REGISTRY_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    description: "experiments, change history, override index, publish state",
    sql: `CREATE TABLE experiments (
            name TEXT PRIMARY KEY,
            config TEXT NOT NULL,
            -- Variants that have, or may have, sticky assignments: see stickyVariantsAfter.
            sticky_variants TEXT NOT NULL DEFAULT '[]'
          ) WITHOUT ROWID;
          CREATE TABLE history (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            experiment TEXT NOT NULL,
            mutation TEXT NOT NULL,
            actor TEXT,
            timestamp_secs INTEGER NOT NULL
          );
          CREATE INDEX history_by_experiment ON history (experiment, seq);
          CREATE TABLE overrides (
            experiment TEXT NOT NULL,
            actor TEXT NOT NULL,
            variant TEXT NOT NULL,
            PRIMARY KEY (experiment, actor)
          ) WITHOUT ROWID;
          CREATE TABLE publish_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL,
            published_version INTEGER NOT NULL,
            published_at_ms INTEGER NOT NULL
          );
          INSERT INTO publish_state VALUES (1, 0, 0, 0);`,
  },
  {
    id: 2,
    description: "the variants and weights of every config revision",
    // Configs written before revisions existed are revision 1 with their current variants.
    sql: `CREATE TABLE revisions (
            experiment TEXT NOT NULL,
            revision INTEGER NOT NULL,
            variants TEXT NOT NULL,
            PRIMARY KEY (experiment, revision)
          ) WITHOUT ROWID;
          INSERT INTO revisions (experiment, revision, variants)
            SELECT name, COALESCE(json_extract(config, '$.revision'), 1), json_extract(config, '$.variants')
            FROM experiments;`,
  },
  {
    id: 3,
    description: "holdouts and their change history",
    sql: `CREATE TABLE holdouts (name TEXT PRIMARY KEY, holdout TEXT NOT NULL) WITHOUT ROWID;
          CREATE TABLE holdout_history (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            holdout TEXT NOT NULL,
            mutation TEXT NOT NULL,
            actor TEXT,
            timestamp_secs INTEGER NOT NULL
          );
          CREATE INDEX holdout_history_by_holdout ON holdout_history (holdout, seq);`,
  },
  {
    id: 4,
    description: "webhooks, the deliveries waiting for the queue, and the deliveries answered",
    // A change writes its deliveries here in its own transaction (the outbox), so none is
    // lost between the change and the queue; the alarm hands them to the queue.
    sql: `CREATE TABLE webhooks (name TEXT PRIMARY KEY, webhook TEXT NOT NULL, secret TEXT NOT NULL) WITHOUT ROWID;
          CREATE TABLE webhook_outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL,
            webhook TEXT NOT NULL,
            type TEXT NOT NULL,
            timestamp_secs INTEGER NOT NULL,
            data TEXT NOT NULL
          );
          CREATE TABLE webhook_delivered (id TEXT PRIMARY KEY, at_ms INTEGER NOT NULL) WITHOUT ROWID;
          CREATE INDEX webhook_delivered_by_time ON webhook_delivered (at_ms);`,
  },
  {
    id: 5,
    description: "erased actors, by erasure key, for as long as the edge must be told",
    sql: `CREATE TABLE erasures (key TEXT PRIMARY KEY, erased_at_secs INTEGER NOT NULL) WITHOUT ROWID;`,
  },
];
