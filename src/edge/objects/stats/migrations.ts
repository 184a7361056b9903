import type { Migration } from "../migrate";

/** The stats object's SQLite schema: append-only, never edit an entry that has run anywhere. */
export const STATS_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    description: "counted enrolments and exposures per day, revision and variant",
    sql: `CREATE TABLE counts (
            day TEXT NOT NULL,
            revision INTEGER NOT NULL,
            variant TEXT NOT NULL,
            enrolled INTEGER NOT NULL,
            exposures INTEGER NOT NULL,
            PRIMARY KEY (day, revision, variant)
          ) WITHOUT ROWID;`,
  },
  {
    id: 2,
    description: "the message ids already counted, so that a redelivered event counts once",
    sql: `CREATE TABLE counted (id TEXT PRIMARY KEY, at_ms INTEGER NOT NULL) WITHOUT ROWID;
          CREATE INDEX counted_by_time ON counted (at_ms);`,
  },
  {
    id: 3,
    description: "the enrolments already counted, by actor, so that one counts once whichever way it comes",
    sql: `CREATE TABLE enrolled (key TEXT PRIMARY KEY, at_ms INTEGER NOT NULL) WITHOUT ROWID;
          CREATE INDEX enrolled_by_time ON enrolled (at_ms);`,
  },
  {
    id: 4,
    description: "per metric and variant, the sums of the actors' values; per metric, the events not attributed",
    sql: `CREATE TABLE metric_sums (
            metric TEXT NOT NULL,
            kind TEXT NOT NULL,
            event TEXT NOT NULL,
            variant TEXT NOT NULL,
            sum REAL NOT NULL,
            sum_squares REAL NOT NULL,
            PRIMARY KEY (metric, kind, event, variant)
          ) WITHOUT ROWID;
          CREATE TABLE metric_unattributed (
            metric TEXT NOT NULL,
            kind TEXT NOT NULL,
            event TEXT NOT NULL,
            events INTEGER NOT NULL,
            PRIMARY KEY (metric, kind, event)
          ) WITHOUT ROWID;`,
  },
  {
    id: 5,
    description: "notices: what has been told of this experiment, and when (the SRM mismatch webhook, once)",
    sql: `CREATE TABLE notices (kind TEXT PRIMARY KEY, at_ms INTEGER NOT NULL) WITHOUT ROWID;`,
  },
];
