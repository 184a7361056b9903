// Attribution's arithmetic: however an actor's events are split into messages, the
// deltas add up to Σy and Σy² of the actors' final values, computed directly.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ActorMetricState,
  attributeEvents,
  type MetricListener,
  type MetricSumRow,
  type TrackedEvent,
} from "../../src/core";

const LISTENERS: MetricListener[] = [
  { experiment: "exp", metric: "revenue", event: "purchase", kind: "sum" },
  { experiment: "exp", metric: "bought", event: "purchase", kind: "conversion" },
];

/** One actor's state as its object keeps it, in memory. */
function actorState(
  enrolledAt: number | null,
  variant = "treatment",
): ActorMetricState & { totals: Map<string, number> } {
  const seen = new Set<string>();
  const totals = new Map<string, number>();
  return {
    totals,
    enrolment: () => (enrolledAt === null ? null : { variant, assigned_at_secs: enrolledAt }),
    firstSighting: (id) => !seen.has(id) && seen.add(id) !== undefined,
    total: (experiment, key) => totals.get(`${experiment}/${key.metric}`) ?? 0,
    setTotal: (experiment, key, total) => void totals.set(`${experiment}/${key.metric}`, total),
  };
}

const event = (value: number, fields: Partial<TrackedEvent> = {}): TrackedEvent => ({
  event: "purchase",
  value,
  id: null,
  timestamp_secs: 1000,
  ...fields,
});

function addUp(rows: MetricSumRow[], metric: string): { sum: number; sum_squares: number } {
  const mine = rows.filter((row) => row.metric === metric);
  return { sum: mine.reduce((s, r) => s + r.sum, 0), sum_squares: mine.reduce((s, r) => s + r.sum_squares, 0) };
}

describe("attributeEvents", () => {
  it("moves Σy and Σy² exactly to the actors' final values, however the events are split into messages", () => {
    const actorEvents = fc.array(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 12 }), {
      minLength: 1,
      maxLength: 20,
    });
    fc.assert(
      fc.property(actorEvents, fc.integer({ min: 1, max: 5 }), (actors, split) => {
        const rows: MetricSumRow[] = [];
        let sum = 0;
        let sumSquares = 0;
        let converted = 0;
        for (const values of actors) {
          const state = actorState(0);
          for (let i = 0; i < values.length; i += split) {
            rows.push(
              ...attributeEvents(
                values.slice(i, i + split).map((v) => event(v)),
                LISTENERS,
                state,
              ).deltas,
            );
          }
          const y = values.reduce((a, b) => a + b, 0);
          sum += y;
          sumSquares += y * y;
          converted += values.length > 0 ? 1 : 0;
        }
        expect(addUp(rows, "revenue")).toEqual({ sum, sum_squares: sumSquares });
        expect(addUp(rows, "bought")).toEqual({ sum: converted, sum_squares: converted });
      }),
    );
  });

  it("counts an id once, and events before the enrolment, or of an actor not enrolled, as unattributed", () => {
    const state = actorState(1000);
    const first = attributeEvents(
      [event(5, { id: "a" }), event(7, { id: "a" }), event(9, { timestamp_secs: 999 })],
      LISTENERS,
      state,
    );
    expect(addUp(first.deltas, "revenue")).toEqual({ sum: 5, sum_squares: 25 });
    expect(first.unattributed.map((u) => [u.metric, u.events])).toEqual([
      ["revenue", 1],
      ["bought", 1],
    ]);
    // The id stays seen in the next message; a new one counts.
    const second = attributeEvents([event(3, { id: "a" }), event(3, { id: "b" })], LISTENERS, state);
    expect(addUp(second.deltas, "revenue")).toEqual({ sum: 3, sum_squares: 2 * 5 * 3 + 9 });
    expect(addUp(second.deltas, "bought")).toEqual({ sum: 0, sum_squares: 0 });
    const stranger = attributeEvents([event(1)], LISTENERS, actorState(null));
    expect(stranger.deltas).toEqual([]);
    expect(stranger.unattributed.map((u) => u.events)).toEqual([1, 1]);
  });

  it("attributes to the variant the actor is enrolled in, and ignores events no listener names", () => {
    const { deltas, unattributed } = attributeEvents(
      [event(2), event(1, { event: "other" })],
      LISTENERS,
      actorState(0, "control"),
    );
    expect(deltas.map((d) => [d.metric, d.variant, d.sum])).toEqual([
      ["revenue", "control", 2],
      ["bought", "control", 1],
    ]);
    expect(unattributed).toEqual([]);
  });
});
