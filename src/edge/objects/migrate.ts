/**
 * Versioned SQLite schema for a Durable Object. Migrations are append-only: once one
 * has run anywhere, it is never edited; a change is a new entry. Each runs in its own
 * transaction with its id recorded, so a restart resumes where it stopped.
 */
export interface Migration {
  id: number;
  description: string;
  sql: string;
}

export function migrate(storage: DurableObjectStorage, migrations: readonly Migration[]): void {
  storage.sql.exec(
    "CREATE TABLE IF NOT EXISTS _migrations (id INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)",
  );
  const applied = new Set(
    storage.sql
      .exec<{ id: number }>("SELECT id FROM _migrations")
      .toArray()
      .map((r) => r.id),
  );
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    storage.transactionSync(() => {
      storage.sql.exec(migration.sql);
      storage.sql.exec(
        "INSERT INTO _migrations (id, description, applied_at_ms) VALUES (?, ?, ?)",
        migration.id,
        migration.description,
        Date.now(),
      );
    });
  }
}
