import type { Migration } from "../migrate";

/** The actor object's SQLite schema: append-only, never edit an entry that has run anywhere. */
export const ACTOR_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    description: "sticky assignments and overrides of one actor",
    sql: `CREATE TABLE assignments (
            experiment TEXT PRIMARY KEY,
            variant TEXT NOT NULL,
            is_override INTEGER NOT NULL,
            assigned_at_secs INTEGER NOT NULL
          ) WITHOUT ROWID;
          CREATE TABLE overrides (
            experiment TEXT PRIMARY KEY,
            variant TEXT NOT NULL
          ) WITHOUT ROWID;`,
  },
  {
    id: 2,
    description: "overrides shadow sticky assignments instead of overwriting them",
    // Before this, answering an override overwrote the sticky row with it (as the
    // reference does). Such a row becomes the override's `answered` mark; the variant it
    // overwrote is gone and cannot be recovered, so after removal that actor is bucketed
    // afresh. Rows without an override stay the actor's sticky assignment.
    sql: `ALTER TABLE overrides ADD COLUMN set_at_secs INTEGER NOT NULL DEFAULT 0;
          ALTER TABLE overrides ADD COLUMN answered INTEGER NOT NULL DEFAULT 0;
          UPDATE overrides SET answered = 1, set_at_secs = a.assigned_at_secs
            FROM assignments AS a WHERE a.experiment = overrides.experiment AND a.is_override = 1;
          DELETE FROM assignments WHERE is_override = 1 AND experiment IN (SELECT experiment FROM overrides);`,
  },
  {
    id: 3,
    description: "each assignment records its exclusion group; v1 override rows without an override are plain",
    // The group lets the object find a sibling its caller's config does not know yet (an
    // experiment that joined the group after the caller's snapshot). Rows written before
    // keep NULL and are found through the caller's sibling list, as before. A v1 row
    // that an override wrote, whose override is gone, is the actor's sticky assignment.
    sql: `ALTER TABLE assignments ADD COLUMN exclusion_group TEXT;
          ALTER TABLE overrides ADD COLUMN exclusion_group TEXT;
          UPDATE assignments SET is_override = 0
            WHERE is_override = 1 AND experiment NOT IN (SELECT experiment FROM overrides);`,
  },
  {
    id: 4,
    description: "an outbox of enrolments until they are counted",
    // An enrolment is recorded here in the assignment's own transaction, so it is
    // counted even when the isolate that answered loses its events (`Outbox`).
    sql: `CREATE TABLE outbox (
            experiment TEXT PRIMARY KEY,
            variant TEXT NOT NULL,
            revision INTEGER NOT NULL,
            assigned_at_secs INTEGER NOT NULL
          ) WITHOUT ROWID;`,
  },
  {
    id: 5,
    description: "tracked events: per-metric totals, the event ids seen, and each queue message's attribution",
    // A total is the actor's y for one metric, which its next event's delta depends on.
    // An id de-duplicates the caller's events; a message's attribution is kept so that
    // the queue delivering it again gets the same deltas rather than none (\`MetricLedger\`).
    sql: `CREATE TABLE metric_totals (
            experiment TEXT NOT NULL,
            metric TEXT NOT NULL,
            kind TEXT NOT NULL,
            event TEXT NOT NULL,
            total REAL NOT NULL,
            PRIMARY KEY (experiment, metric, kind, event)
          ) WITHOUT ROWID;
          CREATE TABLE event_ids (id TEXT PRIMARY KEY, at_secs INTEGER NOT NULL) WITHOUT ROWID;
          CREATE INDEX event_ids_by_time ON event_ids (at_secs);
          CREATE TABLE attributed (message TEXT PRIMARY KEY, attribution TEXT NOT NULL, at_ms INTEGER NOT NULL)
            WITHOUT ROWID;
          CREATE INDEX attributed_by_time ON attributed (at_ms);`,
  },
  {
    id: 6,
    description: "each holdout's arm the actor is in, from the first time it passed eligibility for a member",
    sql: `CREATE TABLE holdout_arms (
            holdout TEXT PRIMARY KEY,
            arm TEXT NOT NULL,
            joined_at_secs INTEGER NOT NULL
          ) WITHOUT ROWID;`,
  },
];
