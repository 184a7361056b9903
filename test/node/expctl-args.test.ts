// expctl's own syntaxes: `--variant a=1`, `--attr k=v`, `--target 'attr op v1,v2'`, names,
// actors, numbers and the apply file; each a pure function that throws UsageError (exit 2).
// Then the whole command line in process, with a fake fetch: what is refused before
// anything is sent, and how answers and refusals are printed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseApplyFile } from "../../src/cli/apply-file";
import {
  attributesOf,
  parseActor,
  parseAdminActor,
  parseAlpha,
  parseAttribute,
  parseCoverage,
  parseEventId,
  parseEventTime,
  parseHashVersion,
  parseHoldoutCoverage,
  parseLayer,
  parseLimit,
  parseMetric,
  parseName,
  parseTarget,
  parseTimeout,
  parseTrackEvent,
  parseVariant,
  trackEvents,
} from "../../src/cli/args";
import { UsageError } from "../../src/cli/errors";
import { conditionText } from "../../src/cli/format";
import { expctl, json, problem } from "./support/expctl";

describe("--variant <name>=<weight>", () => {
  it("reads a name and a whole-number weight", () => {
    expect(parseVariant("control=50")).toEqual({ name: "control", weight: 50 });
    expect(parseVariant("off=0")).toEqual({ name: "off", weight: 0 });
  });

  it("splits at the last '=', so a name may contain one", () => {
    expect(parseVariant("a=b=7")).toEqual({ name: "a=b", weight: 7 });
  });

  it.each(["control", "=50", "control=", "control=1.5", "control=-1", "control=ten"])("refuses '%s'", (text) => {
    expect(() => parseVariant(text)).toThrow(UsageError);
  });
});

describe("--attr <name>=<value>", () => {
  it("splits at the first '=' and keeps the value as text", () => {
    expect(parseAttribute("plan=pro")).toEqual(["plan", "pro"]);
    expect(parseAttribute("query=a=b")).toEqual(["query", "a=b"]);
    expect(parseAttribute("empty=")).toEqual(["empty", ""]);
  });

  it("refuses a pair without a name or '='", () => {
    expect(() => parseAttribute("plan")).toThrow(UsageError);
    expect(() => parseAttribute("=pro")).toThrow(UsageError);
  });

  it("collects repeated options into one object, refusing a name given twice", () => {
    expect(attributesOf(["plan=pro", "country=DE"])).toEqual({ plan: "pro", country: "DE" });
    expect(() => attributesOf(["plan=pro", "plan=free"])).toThrow("given more than once");
  });

  it("refuses an attribute named __proto__ in the Worker's words, rather than dropping it", () => {
    expect(() => attributesOf(["__proto__=x"])).toThrow("'__proto__' is a reserved attribute name");
  });

  it("refuses an attribute name the API's schema refuses, naming it", () => {
    expect(() => attributesOf(["bad name=1"])).toThrow(/^--attr 'bad name': attribute names must be 1 to 64/);
    expect(attributesOf(["app.version=2.0.0"])).toEqual({ "app.version": "2.0.0" });
  });
});

describe("--target '<attribute> <operator> <values>'", () => {
  it("reads the attribute, the operator and comma-separated values, trimmed", () => {
    expect(parseTarget("country in DE, FR,AT")).toEqual({
      attribute: "country",
      operator: "in",
      values: ["DE", "FR", "AT"],
    });
  });

  it("keeps spaces inside a value", () => {
    expect(parseTarget("city in New York,Berlin").values).toEqual(["New York", "Berlin"]);
  });

  it("takes no values for exists", () => {
    expect(parseTarget("beta exists")).toEqual({ attribute: "beta", operator: "exists", values: [] });
    expect(() => parseTarget("beta exists yes")).toThrow("takes no values");
  });

  it("marks an operator ending in /i case-insensitive", () => {
    expect(parseTarget("email ends_with/i @example.com")).toEqual({
      attribute: "email",
      operator: "ends_with",
      values: ["@example.com"],
      case_insensitive: true,
    });
  });

  it("refuses an unknown operator, naming the known ones", () => {
    expect(() => parseTarget("country equals DE")).toThrow(/unknown operator 'equals'.*not_in/);
  });

  it("refuses a condition without values, or without an operator", () => {
    expect(() => parseTarget("country in")).toThrow("needs at least one value");
    expect(() => parseTarget("country")).toThrow(UsageError);
  });

  it("reads \\, as a comma inside a value and \\\\ as a backslash, and keeps any other backslash", () => {
    expect(parseTarget("city in Washington\\, D.C.,Berlin").values).toEqual(["Washington, D.C.", "Berlin"]);
    expect(parseTarget("path starts_with C:\\\\,a\\b").values).toEqual(["C:\\", "a\\b"]);
  });

  it("reads back every condition as show and apply print it", () => {
    // Every value --target can express: not empty, no space at either end (docs/expctl.md
    // sends the others to an apply file).
    const value = fc
      .string({ unit: fc.constantFrom("a", " ", ",", "\\", "é"), minLength: 1, maxLength: 12 })
      .filter((text) => text.trim() === text && text !== "");
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 4 }), fc.boolean(), (values, caseInsensitive) => {
        const condition = {
          attribute: "city",
          operator: "in",
          values,
          ...(caseInsensitive ? { case_insensitive: true } : {}),
        } as const;
        expect(parseTarget(conditionText(condition))).toEqual(condition);
      }),
    );
  });
});

describe("--metric <name>:<kind>[:<event>[:<direction>[:<role>]]]", () => {
  it("takes the name and kind, and the parts given; an empty part keeps its default", () => {
    expect(parseMetric("purchase:conversion")).toEqual({ name: "purchase", kind: "conversion" });
    expect(parseMetric("refunds:sum:refund:decrease:guardrail")).toEqual({
      name: "refunds",
      kind: "sum",
      event: "refund",
      direction: "decrease",
      role: "guardrail",
    });
    expect(parseMetric("errors:sum:::guardrail")).toEqual({ name: "errors", kind: "sum", role: "guardrail" });
  });

  it.each(["purchase", ":sum", "purchase:", "a:sum:e:increase:goal:extra"])("refuses %j", (text) => {
    expect(() => parseMetric(text)).toThrow(UsageError);
  });
});

describe("names and actors, by the API's own schemas", () => {
  it("takes an experiment or group name that matches the API's pattern", () => {
    expect(parseName("checkout_v2")).toBe("checkout_v2");
    expect(parseName("a..b")).toBe("a..b");
  });

  it.each(["", ".", "..", "bad:name", "-lead", "x".repeat(129)])("refuses the name '%s' in the API's words", (text) => {
    expect(() => parseName(text)).toThrow(
      `'${text}' is not a valid name: must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`,
    );
  });

  it("takes any actor id the API takes, '.' and '..' included (only a URL path cannot carry those)", () => {
    for (const actor of ["user:1", "qa:alice/x y", ".", "..", "José 😀"]) expect(parseActor(actor)).toBe(actor);
  });

  it.each(["", "a\tb", "\ud800", "é".repeat(129)])("refuses the actor id %j", (text) => {
    expect(() => parseActor(text)).toThrow(/is not a valid actor id: must be an actor id of 1 to 256 UTF-8 bytes/);
  });

  it("takes an admin actor of at most 128 characters of any script, without control characters", () => {
    for (const who of ["ops@example.com", "José", "ops 😀", "😀".repeat(128)]) expect(parseAdminActor(who)).toBe(who);
    for (const who of ["a\tb", "a\nb", "x".repeat(129), "\udc00"]) {
      expect(() => parseAdminActor(who)).toThrow("--admin-actor (or EXPCTL_ADMIN_ACTOR) must be at most 128");
    }
  });
});

describe("numbers", () => {
  it("takes coverage from 0 to 10000 basis points, and refuses the rest alike, in the engine's words", () => {
    expect(parseCoverage("0")).toBe(0);
    expect(parseCoverage("10000")).toBe(10_000);
    for (const text of ["10001", "-5", "12%", "1e3", ""]) {
      expect(() => parseCoverage(text)).toThrow(
        `coverage must be an integer in [0, 10000] basis points, not '${text}'`,
      );
    }
  });

  it("takes a timeout of at least 1 ms, and at most what a timer can hold", () => {
    expect(parseTimeout("1")).toBe(1);
    expect(parseTimeout("2147483647")).toBe(2_147_483_647);
    for (const text of ["0", "-1", "2147483648", "1.5", "soon"]) {
      expect(() => parseTimeout(text)).toThrow(
        /^--timeout must be a whole number of milliseconds from 1 to 2147483647/,
      );
    }
  });

  it("takes a history --limit the API's query schema takes", () => {
    expect(parseLimit("0")).toBe(0);
    expect(parseLimit("999999999")).toBe(999_999_999);
    for (const text of ["1234567890", "-1", "all"]) expect(() => parseLimit(text)).toThrow(UsageError);
  });

  it("takes hash version 1 or 2 only", () => {
    expect(parseHashVersion("1")).toBe(1);
    expect(parseHashVersion("2")).toBe(2);
    for (const text of ["0", "3", "02", "v2"])
      expect(() => parseHashVersion(text)).toThrow(/^--hash-version must be 1 /);
  });
});

describe("--layer <name>:<start>-<end> and holdout --coverage", () => {
  it("reads a layer's name and its range [start, end) in basis points", () => {
    expect(parseLayer("checkout:0-2500")).toEqual({ name: "checkout", range: [0, 2500] });
    expect(parseLayer("a.b-c:9999-10000")).toEqual({ name: "a.b-c", range: [9999, 10_000] });
  });

  it.each([
    ["checkout", "'checkout' is not '<layer>:<start>-<end>' (e.g. checkout:0-2500)"],
    ["checkout:0..2500", "is not '<layer>:<start>-<end>'"],
    ["checkout:-1-5", "is not '<layer>:<start>-<end>'"],
    ["a:b:0-1", "is not '<layer>:<start>-<end>'"],
    [
      "checkout:5000-10",
      "--layer 'checkout:5000-10': layer range must be [start, end] with whole basis points 0 ≤ start < end ≤ 10000, found [5000, 10]",
    ],
    ["checkout:0-10001", "found [0, 10001]"],
    ["checkout:5-5", "found [5, 5]"],
    [":0-10", "--layer ':0-10': layer name must match"],
    ["bad name:0-10", "layer name must match"],
  ])("refuses %j in the engine's words", (text, message) => {
    expect(() => parseLayer(text)).toThrow(UsageError);
    expect(() => parseLayer(text)).toThrow(message);
  });

  it("takes a holdout's coverage from 1 to 5000 basis points", () => {
    expect(parseHoldoutCoverage("1")).toBe(1);
    expect(parseHoldoutCoverage("5000")).toBe(5000);
    for (const text of ["0", "5001", "-1", "5%", "1e3", ""]) {
      expect(() => parseHoldoutCoverage(text)).toThrow(
        `holdout coverage must be a whole number of basis points from 1 to 5000, not '${text}'`,
      );
    }
  });
});

describe("results --alpha", () => {
  it("takes a decimal strictly between 0 and 0.5, as the API's query schema does", () => {
    expect(parseAlpha("0.05")).toBe(0.05);
    expect(parseAlpha(".1")).toBe(0.1);
    expect(parseAlpha("0.000001")).toBe(0.000_001);
    expect(parseAlpha("0.499999")).toBe(0.499_999);
  });

  it.each(["0", "0.0", "0.5", "0.6", "1", "-0.1", "5e-2", "0.05 ", "five"])("refuses '%s'", (text) => {
    expect(() => parseAlpha(text)).toThrow(
      `--alpha must be a decimal number strictly between 0 and 0.5 (e.g. 0.05), not '${text}'`,
    );
  });

  it("refuses an alpha the client would send with an exponent, which the API refuses", () => {
    expect(() => parseAlpha("0.0000001")).toThrow("--alpha must be at least 0.000001 (the API cannot take 1e-7)");
  });
});

describe("track <event>[=<value>], --id, --at", () => {
  it("reads an event name, and a value after '=' as a number", () => {
    expect(parseTrackEvent("signup")).toEqual({ event: "signup" });
    expect(parseTrackEvent("purchase=42.5")).toEqual({ event: "purchase", value: 42.5 });
    expect(parseTrackEvent("refund=-12")).toEqual({ event: "refund", value: -12 });
    expect(parseTrackEvent("views=1e3")).toEqual({ event: "views", value: 1000 });
    expect(parseTrackEvent("n=.5")).toEqual({ event: "n", value: 0.5 });
  });

  it.each([
    ["purchase=", "'purchase=' is not <event>[=<number>]"],
    ["purchase=ten", "'purchase=ten' is not <event>[=<number>]"],
    ["purchase=Infinity", "is not <event>[=<number>]"],
    ["purchase=0x10", "is not <event>[=<number>]"],
    ["purchase=1e13", "'purchase=1e13': must lie between -1000000000000 and 1000000000000"],
    ["bad:name", "'bad:name': must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"],
    ["=5", "'=5': must match"],
  ])("refuses %j in the API's words where it is the API's rule", (text, message) => {
    expect(() => parseTrackEvent(text)).toThrow(message);
  });

  it("takes an event id of 1 to 128 characters without control characters", () => {
    for (const id of ["order-991", "order:991 😀", "x".repeat(128)]) expect(parseEventId(id)).toBe(id);
    expect(() => parseEventId("")).toThrow("'' is not a valid event id: must not be empty");
    expect(() => parseEventId("x".repeat(129))).toThrow("must be at most 128 characters");
    expect(() => parseEventId("a\nb")).toThrow("must not contain control characters");
  });

  it("reads --at as UNIX seconds or ISO 8601 with a zone, within the API's window", () => {
    const secs = Math.floor(Date.now() / 1000) - 3600;
    const iso = new Date(secs * 1000).toISOString();
    expect(parseEventTime(String(secs))).toBe(secs);
    expect(parseEventTime(iso)).toBe(secs);
    // As expctl prints times (`timeText`), with a fraction (dropped) and with an offset.
    expect(parseEventTime(`${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`)).toBe(secs);
    expect(parseEventTime(iso.replace(".000Z", ".999Z"))).toBe(secs);
    const plusTwo = new Date((secs + 2 * 3600) * 1000).toISOString().replace(".000Z", "+02:00");
    expect(parseEventTime(plusTwo)).toBe(secs);
  });

  it("refuses a time without a zone, a date that does not exist, milliseconds, and times outside the window", () => {
    const now = Math.floor(Date.now() / 1000);
    const neither = "is neither an ISO 8601 time with its zone (2026-11-26T03:17:00Z) nor UNIX seconds";
    for (const text of ["2026-11-26T03:17:00", "2026-11-26", "2026-02-30T00:00:00Z", String(now * 1000), "now"]) {
      expect(() => parseEventTime(text)).toThrow(`'${text}' ${neither}`);
    }
    expect(() => parseEventTime(String(now - 8 * 24 * 3600))).toThrow("must lie within the last 7 days");
    expect(() => parseEventTime("2020-01-01T00:00:00Z")).toThrow(
      "--at '2020-01-01T00:00:00Z': must lie within the last 7 days",
    );
    expect(() => parseEventTime(String(now + 3600))).toThrow("must be at most 5 minutes in the future");
  });

  it("gives the --ids to the events in order and --at to every event", () => {
    const events = [{ event: "purchase", value: 30 }, { event: "signup" }];
    expect(trackEvents(events, {})).toEqual(events);
    expect(trackEvents(events, { id: ["o-1", "s-1"], at: 1_800_000_000 })).toEqual([
      { event: "purchase", value: 30, id: "o-1", timestamp_secs: 1_800_000_000 },
      { event: "signup", id: "s-1", timestamp_secs: 1_800_000_000 },
    ]);
  });

  it("refuses --ids that are not one per event (one id for two would count only the first), and over 100 events", () => {
    const two = [{ event: "a" }, { event: "b" }];
    expect(() => trackEvents(two, { id: ["x"] })).toThrow(
      "--id: give one per event, in order, or none (1 for 2 events)",
    );
    expect(() => trackEvents(Array(101).fill({ event: "a" }), {})).toThrow(
      "at most 100 events in one request, not 101",
    );
  });
});

describe("the apply file", () => {
  it("reads experiments with their definition, state and winner", () => {
    const text = `
experiments:
  - name: checkout_v2
    description: New checkout flow
    variants: [{name: control, weight: 50}, {name: treatment, weight: 50}]
    exclusion_group: checkout
    targeting: [{attribute: country, operator: in, values: [DE, FR]}]
    coverage: 2500
    state: concluded
    winner: treatment
  - name: search
    variants: [{name: a, weight: 1}]
`;
    expect(parseApplyFile(text, "x.yaml").experiments).toEqual([
      {
        name: "checkout_v2",
        definition: {
          description: "New checkout flow",
          variants: [
            { name: "control", weight: 50 },
            { name: "treatment", weight: 50 },
          ],
          exclusion_group: "checkout",
          targeting: [{ attribute: "country", operator: "in", values: ["DE", "FR"], case_insensitive: false }],
          coverage: 2500,
        },
        state: "concluded",
        winner: "treatment",
      },
      { name: "search", definition: { variants: [{ name: "a", weight: 1 }] } },
    ]);
  });

  it("names every offending field, with the API's own schema messages", () => {
    const text =
      "experiments:\n  - name: a\n    variants: [{name: x, weight: ten}]\n    colour: red\n    state: live\n";
    const error = (() => {
      try {
        parseApplyFile(text, "x.yaml");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    const message = String((error as Error).message);
    expect(message).toContain("x.yaml is not a valid experiments file");
    expect(message).toContain("experiments[0].variants[0].weight: must be a number");
    expect(message).toContain("experiments[0].colour");
    expect(message).toContain("experiments[0].state: must be one of draft, running, concluded, archived");
  });

  it("refuses YAML that does not parse, and an experiment declared twice", () => {
    expect(() => parseApplyFile("experiments: [", "x.yaml")).toThrow(UsageError);
    const twice =
      "experiments:\n  - {name: a, variants: [{name: x, weight: 1}]}\n  - {name: a, variants: [{name: x, weight: 1}]}\n";
    expect(() => parseApplyFile(twice, "x.yaml")).toThrow("experiment 'a' is declared more than once");
  });

  it("names every experiment the Worker's rules refuse whatever is stored, in the engine's words", () => {
    const text =
      "experiments:\n  - {name: a, variants: []}\n  - {name: b, variants: [{name: x, weight: 1}]}\n" +
      "  - {name: c, variants: [{name: x, weight: 1}], state: concluded, winner: y}\n";
    expect(() => parseApplyFile(text, "x.yaml")).toThrow(
      new UsageError(
        "x.yaml is not a valid experiments file:\n" +
          "  experiments[0] (a): an experiment needs at least one variant\n" +
          "  experiments[2] (c): 'y' is not a configured variant of experiment 'c'",
      ),
    );
  });

  it("leaves a winner without a state to the plan, which knows the state it keeps", () => {
    const text = "experiments:\n  - {name: a, variants: [{name: x, weight: 1}], winner: x}\n";
    expect(parseApplyFile(text, "x.yaml").experiments).toEqual([
      { name: "a", definition: { variants: [{ name: "x", weight: 1 }] }, winner: "x" },
    ]);
  });

  it("refuses a file without an experiments list", () => {
    expect(() => parseApplyFile("", "x.yaml")).toThrow(UsageError);
    expect(() => parseApplyFile("experiments: {}", "x.yaml")).toThrow("must be a list of experiments");
  });
});

function config(fields: Record<string, unknown> = {}) {
  return {
    name: "tg",
    description: null,
    state: "draft",
    variants: [
      { name: "a", weight: 1 },
      { name: "b", weight: 1 },
    ],
    winner: null,
    exclusion_group: null,
    targeting: [],
    coverage: 10_000,
    hash_version: 1,
    metrics: [],
    layer: null,
    holdout: null,
    revision: 1,
    updated_at_secs: 1_800_000_000,
    started_at_secs: null,
    ...fields,
  };
}

describe("the command line refuses, with exit 2 and nothing sent", () => {
  it.each([
    [["show", ""], "'' is not a valid name: must match"],
    [["show", "."], "'.' is not a valid name"],
    [["show", "", "--json"], "'' is not a valid name"],
    [["show", "bad:name"], "'bad:name' is not a valid name"],
    [["start", ""], "'' is not a valid name"],
    [["results", ""], "'' is not a valid name"],
    [["history", ""], "'' is not a valid name"],
    [["create", "", "--variant", "a=1"], "'' is not a valid name"],
    [["create", "x", "--variant", "a=1", "--group", "g:1"], "'g:1' is not a valid name"],
    [["lookup", "tg", ""], "'' is not a valid actor id"],
    [["override", "set", "tg", "", "a"], "'' is not a valid actor id"],
    [["assign", "tg", "--actor", ""], "'' is not a valid actor id"],
    [["assign", "tg", "--actor", "a", "--attr", "bad name=1"], "--attr 'bad name': attribute names must be"],
    [["coverage", "tg", "10001"], "coverage must be an integer in [0, 10000] basis points, not '10001'"],
    [["coverage", "tg", "-5"], "coverage must be an integer in [0, 10000] basis points, not '-5'"],
    [["--timeout", "0", "list"], "--timeout must be a whole number of milliseconds from 1"],
    [["history", "tg", "--limit", "1234567890"], "--limit must be a whole number of at most 9 digits"],
    [
      ["results", "tg", "--method", "bayesian"],
      "argument 'bayesian' is invalid. Allowed choices are sequential, fixed",
    ],
    [["results", "tg", "--alpha", "0.5"], "--alpha must be a decimal number strictly between 0 and 0.5"],
    [["results", "tg", "--alpha"], "option '--alpha <alpha>' argument missing"],
    [["track", "user:1"], "missing required argument 'events'"],
    [["track", "", "a"], "'' is not a valid actor id"],
    [["track", "user:1", "purchase=ten"], "'purchase=ten' is not <event>[=<number>]"],
    [["track", "user:1", "a", "b", "--id", "x"], "--id: give one per event, in order, or none (1 for 2 events)"],
    [["track", "user:1", "a", "--at", "yesterday"], "'yesterday' is neither an ISO 8601 time"],
    [["track", "user:1", ...Array(101).fill("a")], "at most 100 events in one request, not 101"],
    [["create", "tg", "--variant", "a=1", "--hash-version", "3"], "--hash-version must be 1"],
    [["create", "tg", "--variant", "a=1", "--variant", "a=2"], "duplicate variant name: 'a'"],
    [["weights", "tg", "a=1", "b=4294967296"], "weight of variant 'b' must be an integer in [0, 4294967295]"],
    [["create", "tg", "--variant", "a=1", "--target", "age num_gt old"], "'old' is not a number"],
    [["create", "tg", "--variant", "a=1", "--metric", "purchase"], "'purchase' is not '<name>:<kind>"],
    [["create", "tg", "--variant", "a=1", "--metric", "p:mean"], "metric kind must be one of conversion, sum"],
    [
      ["create", "tg", "--variant", "a=1", "--metric", "p:sum", "--metric", "p:conversion"],
      "duplicate metric name: 'p'",
    ],
    [["create", "tg", "--variant", "a=1", "--layer", "checkout"], "'checkout' is not '<layer>:<start>-<end>'"],
    [["create", "tg", "--variant", "a=1", "--layer", "checkout:10-5"], "layer range must be [start, end]"],
    [["create", "tg", "--variant", "a=1", "--holdout", "h:1"], "'h:1' is not a valid name"],
    [["holdout", "set", "h"], "required option '--coverage <bp>' not specified"],
    [
      ["holdout", "set", "h", "--coverage", "0"],
      "holdout coverage must be a whole number of basis points from 1 to 5000",
    ],
    [["holdout", "set", "h", "--coverage", "5001"], "not '5001'"],
    [["holdout", "set", "h", "--coverage", "500", "--metric", "p:mean"], "metric kind must be one of conversion, sum"],
    [["holdout", "set", "", "--coverage", "500"], "'' is not a valid name"],
    [["holdout", "show", "."], "'.' is not a valid name"],
    [["holdout", "rm", "bad:name"], "'bad:name' is not a valid name"],
    [["holdout", "history", "h", "--limit", "-1"], "--limit must be a whole number"],
    [["holdout", "results", "h", "--alpha", "0.5"], "--alpha must be a decimal number strictly between 0 and 0.5"],
    [["holdout", "results", "h", "--method", "bayesian"], "Allowed choices are sequential, fixed"],
    [["holdout", "frobnicate"], "unknown command 'frobnicate'"],
  ])("%j", async (argv, message) => {
    const outcome = await expctl(argv);
    expect(outcome.stderr).toContain(message);
    expect(outcome).toMatchObject({ code: 2, stdout: "", sent: [] });
  });

  it.each([
    [["lookup", "tg", ".."]],
    [["lookup", "tg", "."]],
    [["override", "set", "tg", ".", "a"]],
    [["override", "set", "tg", "..", "a"]],
    [["override", "rm", "tg", ".."]],
  ])("an actor id that a URL path cannot carry: %j", async (argv) => {
    const outcome = await expctl(argv);
    expect(outcome).toMatchObject({ code: 2, stdout: "", sent: [] });
    const actor = argv[argv[0] === "lookup" ? 2 : 3];
    expect(outcome.stderr).toBe(
      `error: actor '${actor}' cannot be named in a URL path: URL parsing resolves it as a dot segment, even ` +
        "percent-encoded, so the request would reach another route. It is a valid actor id for assignment " +
        "(the actor parameter, X-Actor-Id), but no admin route can address it. Nothing was sent.\n",
    );
  });

  it("an --admin-actor or EXPCTL_ADMIN_ACTOR the Worker would refuse", async () => {
    for (const outcome of [
      await expctl(["--admin-actor", "a\tb", "start", "tg"]),
      await expctl(["start", "tg"], [], { EXPCTL_ADMIN_ACTOR: "x".repeat(129) }),
    ]) {
      expect(outcome).toMatchObject({ code: 2, stdout: "", sent: [] });
      expect(outcome.stderr).toContain("--admin-actor (or EXPCTL_ADMIN_ACTOR) must be at most 128 characters");
    }
  });

  it.each([
    ["variants: []", "an experiment needs at least one variant"],
    ["variants: [{name: x, weight: 1}, {name: x, weight: 2}]", "duplicate variant name: 'x'"],
    ["variants: [{name: ' x', weight: 1}]", "without surrounding white space"],
    ["variants: [{name: x, weight: 4294967296}]", "weight of variant 'x' must be an integer in [0, 4294967295]"],
    ["variants: [{name: x, weight: 1}], hash_version: 3", "hash_version must be 1"],
    ["variants: [{name: x, weight: 1}], targeting: [{attribute: c, operator: equals, values: [DE]}]", "equals"],
    ["variants: [{name: x, weight: 1}], state: concluded", "state concluded needs a winner"],
    [
      "variants: [{name: x, weight: 1}], state: concluded, winner: ghost",
      "'ghost' is not a configured variant of experiment 'tg'",
    ],
    ["variants: [{name: x, weight: 1}], state: running, winner: x", "a winner is only for state concluded"],
  ])("an apply file whose definition the Worker's rules refuse whatever is stored: {%s}", async (fields, message) => {
    const file = `experiments:\n  - {name: ok, variants: [{name: x, weight: 1}]}\n  - {name: tg, ${fields}}\n`;
    for (const argv of [
      ["apply", "-f", "x.yaml"],
      ["apply", "-f", "x.yaml", "--dry-run"],
      ["apply", "-f", "-"],
    ]) {
      const outcome = await expctl(argv, [json(200, { experiments: [] })], {}, file);
      expect(outcome).toMatchObject({ code: 2, stdout: "", sent: [] });
      expect(outcome.stderr).toContain(message);
      expect(outcome.stderr).toContain("experiments[1] (tg): ");
    }
  });

  it("says when the experiment's holdout keeps the assigned actor back", async () => {
    const held = json(200, { experiment: "tg", actor: "u", variant: "a", is_override: false, holdout: "h2026" });
    expect((await expctl(["assign", "tg", "--actor", "u"], [held])).stdout).toBe(
      "experiment  tg\nactor       u\nvariant     a\noverride    no\nheld out    yes, by holdout h2026 (not enrolled)\n",
    );
    const exposed = json(200, { experiment: "tg", actor: "u", variant: "a", is_override: false });
    expect((await expctl(["assign", "tg", "--actor", "u"], [exposed])).stdout).not.toContain("held out");
  });

  it("still assigns the actors '.' and '..', which travel in the query", async () => {
    const answer = json(200, { experiment: "tg", actor: "..", variant: "a", is_override: false });
    const outcome = await expctl(["assign", "tg", "--actor", ".."], [answer]);
    expect(outcome.code).toBe(0);
    expect(outcome.sent.map((s) => s.url)).toEqual(["http://worker.test/v1/assign/tg?actor=.."]);
  });
});

describe("what the command line sends and prints", () => {
  it("sends --admin-actor as its UTF-8 bytes, as the Worker reads X-Admin-Actor", async () => {
    const outcome = await expctl(["--admin-actor", "José 😀", "start", "tg"], [json(200, config())]);
    expect(outcome.code).toBe(0);
    const header = outcome.sent[0]?.headers["x-admin-actor"] ?? "";
    expect(Buffer.from(header, "latin1").toString("utf8")).toBe("José 😀");
  });

  it("prints an invalid_request's detail once, then only the fields it does not state", async () => {
    const one = await expctl(
      ["show", "tg"],
      [problem(400, "invalid_request", "'name': must match X", [{ parameter: "name", detail: "must match X" }])],
    );
    expect(one).toMatchObject({ code: 1, stdout: "", stderr: "invalid_request: 'name': must match X\n" });
    const three = await expctl(
      ["show", "tg"],
      [
        problem(400, "invalid_request", "body /variants/0/weight: must be a number", [
          { pointer: "/variants/0/weight", detail: "must be a number" },
          { pointer: "/variants/1/name", detail: "must be a string" },
          { pointer: "/coverage", detail: "must be a number" },
        ]),
      ],
    );
    expect(three.stderr).toBe(
      "invalid_request: body /variants/0/weight: must be a number\n" +
        "  /variants/1/name: must be a string\n" +
        "  /coverage: must be a number\n",
    );
    const header = await expctl(
      ["show", "tg"],
      [
        problem(400, "invalid_request", "X-Admin-Actor must be at most 128 characters", [
          { parameter: "X-Admin-Actor", detail: "not a valid admin actor" },
        ]),
      ],
    );
    expect(header.stderr).toBe(
      "invalid_request: X-Admin-Actor must be at most 128 characters\n  X-Admin-Actor: not a valid admin actor\n",
    );
  });

  it("shows the winner in list and show only while the experiment is concluded", async () => {
    const restarted = config({ name: "re", state: "running", winner: "b" });
    const concluded = config({ name: "co", state: "concluded", winner: "b" });
    const list = await expctl(["list"], [json(200, { experiments: [concluded, restarted] })]);
    expect(list.stdout).toMatch(/^co\s+concluded\s+a=1 b=1\s+100%\s+-\s+b\s+-$/m);
    expect(list.stdout).toMatch(/^re\s+running\s+a=1 b=1\s+100%\s+-\s+-\s+-$/m);
    expect((await expctl(["show", "re"], [json(200, restarted)])).stdout).toMatch(/^winner\s+-$/m);
    expect((await expctl(["show", "co"], [json(200, concluded)])).stdout).toMatch(/^winner\s+b$/m);
    // --json is the API's answer as it is, the kept winner included.
    expect(JSON.parse((await expctl(["show", "re", "--json"], [json(200, restarted)])).stdout).winner).toBe("b");
  });

  it("sends --metric in the definition, and show prints every metric with its defaults", async () => {
    const refunds = { name: "refunds", event: "refund", kind: "sum", direction: "decrease", role: "guardrail" };
    const purchase = { name: "purchase", event: "purchase", kind: "conversion", direction: "increase", role: "goal" };
    const created = config({ metrics: [purchase, refunds] });
    const outcome = await expctl(
      [
        "create",
        "tg",
        "--variant",
        "a=1",
        "--metric",
        "purchase:conversion",
        "--metric",
        "refunds:sum:refund:decrease:guardrail",
      ],
      [problem(404, "not_found", "experiment 'tg' not found"), json(201, created)],
    );
    expect(outcome).toMatchObject({ code: 0, stdout: "created tg (draft)\n" });
    expect(JSON.parse(outcome.sent[1]?.body ?? "null").metrics).toEqual([
      { name: "purchase", kind: "conversion" },
      { name: "refunds", kind: "sum", event: "refund", direction: "decrease", role: "guardrail" },
    ]);
    const shown = (await expctl(["show", "tg"], [json(200, created)])).stdout;
    expect(shown).toMatch(/^METRIC\s+KIND\s+EVENT\s+DIRECTION\s+ROLE$/m);
    expect(shown).toMatch(/^purchase\s+conversion\s+purchase\s+increase\s+goal$/m);
    expect(shown).toMatch(/^refunds\s+sum\s+refund\s+decrease\s+guardrail$/m);
    expect((await expctl(["show", "tg"], [json(200, config())])).stdout).toContain("metrics: none\n");
  });

  it("sends track to the public route without the token, one request for all events, and prints accepted N", async () => {
    const at = Math.floor(Date.now() / 1000) - 60;
    const outcome = await expctl(
      ["track", "user:1", "purchase=42.5", "signup", "--id", "order-991", "--id", "signup-1", "--at", String(at)],
      [json(202, { accepted: 2 })],
    );
    expect(outcome).toMatchObject({ code: 0, stdout: "accepted 2\n", stderr: "" });
    expect(outcome.sent).toHaveLength(1);
    const [sent] = outcome.sent;
    expect(sent).toMatchObject({ method: "POST", url: "http://worker.test/v1/track" });
    expect(sent?.headers.authorization).toBeUndefined();
    expect(JSON.parse(sent?.body ?? "null")).toEqual({
      actor: "user:1",
      events: [
        { event: "purchase", value: 42.5, id: "order-991", timestamp_secs: at },
        { event: "signup", id: "signup-1", timestamp_secs: at },
      ],
    });
    const asJson = await expctl(["track", "user:1", "signup", "--json"], [json(202, { accepted: 1 })]);
    expect(JSON.parse(asJson.stdout)).toEqual({ accepted: 1 });
  });

  it("sends results' --method and --alpha as the query, and nothing when they are not given", async () => {
    const answer = json(200, { error: "the test checks only what is sent" });
    const given = await expctl(["results", "tg", "--method", "fixed", "--alpha", "0.01", "--json"], [answer]);
    expect(given.sent.map((s) => s.url)).toEqual([
      "http://worker.test/v1/admin/experiments/tg/results?method=fixed&alpha=0.01",
    ]);
    const plain = await expctl(["results", "tg", "--json"], [answer]);
    expect(plain.sent.map((s) => s.url)).toEqual(["http://worker.test/v1/admin/experiments/tg/results"]);
  });

  it("lists each experiment's metrics by name, after the winner", async () => {
    const purchase = { name: "purchase", event: "purchase", kind: "conversion", direction: "increase", role: "goal" };
    const refunds = { name: "refunds", event: "refund", kind: "sum", direction: "decrease", role: "guardrail" };
    const list = await expctl(
      ["list"],
      [json(200, { experiments: [config({ name: "m", metrics: [purchase, refunds] }), config({ name: "n" })] })],
    );
    expect(list.stdout).toBe(
      "NAME  STATE  VARIANTS  COVERAGE  GROUP  WINNER  METRICS\n" +
        "m     draft  a=1 b=1   100%      -      -       purchase refunds\n" +
        "n     draft  a=1 b=1   100%      -      -       -\n",
    );
  });

  it("says which fields a replaced definition changed from the stored one", async () => {
    const before = config({
      state: "running",
      coverage: 2500,
      exclusion_group: "g",
      description: "Old",
      targeting: [{ attribute: "country", operator: "in", values: ["DE", "FR"], case_insensitive: false }],
    });
    const after = config({ state: "running", variants: [{ name: "a", weight: 1 }] });
    const outcome = await expctl(["create", "tg", "--variant", "a=1"], [json(200, before), json(200, after)]);
    expect(outcome.sent.map((s) => s.method)).toEqual(["GET", "PUT"]);
    expect(outcome.stdout).toBe(
      "replaced the definition of tg (running):\n" +
        "  variants     a=1 b=1 → a=1\n" +
        '  description  "Old" → -\n' +
        "  group        g → -\n" +
        "  targeting    country in DE,FR → everyone\n" +
        "  coverage     2500 → 10000\n",
    );
    const same = await expctl(["create", "tg", "--variant", "a=1", "--variant", "b=1"], [json(200, config())]);
    expect(same.stdout).toBe("replaced the definition of tg (draft): nothing changed\n");
    const fresh = await expctl(
      ["create", "tg", "--variant", "a=1"],
      [problem(404, "not_found", "experiment 'tg' not found"), json(201, config())],
    );
    expect(fresh).toMatchObject({ code: 0, stdout: "created tg (draft)\n" });
  });
});

describe("holdouts and layers on the command line", () => {
  const PURCHASE = { name: "purchase", event: "purchase", kind: "conversion", direction: "increase", role: "goal" };
  const HOLDOUT = {
    name: "h2026",
    description: "Kept back in 2026",
    coverage: 500,
    metrics: [PURCHASE],
    created_at_secs: 1_800_000_000,
    updated_at_secs: 1_800_000_100,
  };
  const notFound = problem(404, "not_found", "holdout 'h2026' not found");

  it("lists holdouts with their coverage, members and metrics, as holdouts and as holdout list", async () => {
    const list = json(200, {
      holdouts: [
        { ...HOLDOUT, members: ["a", "b"] },
        { ...HOLDOUT, name: "tiny", coverage: 50, metrics: [], members: [] },
      ],
    });
    for (const argv of [["holdouts"], ["holdout", "list"]]) {
      const outcome = await expctl(argv, [list]);
      expect(outcome).toMatchObject({ code: 0, stderr: "" });
      expect(outcome.sent.map((s) => `${s.method} ${s.url}`)).toEqual(["GET http://worker.test/v1/admin/holdouts"]);
      expect(outcome.stdout).toBe(
        "NAME   COVERAGE  MEMBERS  METRICS\n" +
          "h2026  5%        a b      purchase\n" +
          "tiny   0.5%      -        -\n",
      );
    }
    expect((await expctl(["holdouts"], [json(200, { holdouts: [] })])).stdout).toBe("no holdouts\n");
  });

  it("shows one holdout with the members the list names, and --json as the holdout's own read", async () => {
    const list = json(200, { holdouts: [{ ...HOLDOUT, members: ["a", "b"] }] });
    const shown = await expctl(["holdout", "show", "h2026"], [json(200, HOLDOUT), list]);
    expect(shown.stdout).toBe(
      "name         h2026\n" +
        "description  Kept back in 2026\n" +
        "coverage     500 bp (5%) held out of every member\n" +
        "members      a b\n" +
        "created      2027-01-15 08:00:00Z\n" +
        "updated      2027-01-15 08:01:40Z\n\n" +
        "METRIC    KIND        EVENT     DIRECTION  ROLE\n" +
        "purchase  conversion  purchase  increase   goal\n",
    );
    const asJson = await expctl(["holdout", "show", "h2026", "--json"], [json(200, HOLDOUT)]);
    expect(JSON.parse(asJson.stdout)).toEqual(HOLDOUT);
    expect(asJson.sent).toHaveLength(1);
    const missing = await expctl(["holdout", "show", "h2026"], [notFound]);
    expect(missing).toMatchObject({ code: 1, stdout: "", stderr: "not_found: holdout 'h2026' not found\n" });
  });

  it("creates a holdout with set, sending only the fields given", async () => {
    const outcome = await expctl(
      ["holdout", "set", "h2026", "--coverage", "500", "--metric", "purchase:conversion"],
      [notFound, json(201, HOLDOUT)],
    );
    expect(outcome).toMatchObject({ code: 0, stdout: "created holdout h2026: 500 bp (5%) held out\n", stderr: "" });
    expect(outcome.sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      "GET http://worker.test/v1/admin/holdouts/h2026",
      "PUT http://worker.test/v1/admin/holdouts/h2026",
    ]);
    expect(JSON.parse(outcome.sent[1]?.body ?? "null")).toEqual({
      coverage: 500,
      metrics: [{ name: "purchase", kind: "conversion" }],
    });
  });

  it("says which fields replacing a holdout changed: a description or metrics not given are removed", async () => {
    const after = { ...HOLDOUT, coverage: 300, description: null, metrics: [] };
    const outcome = await expctl(
      ["holdout", "set", "h2026", "--coverage", "300"],
      [json(200, HOLDOUT), json(200, after)],
    );
    expect(outcome.stdout).toBe(
      "replaced the definition of holdout h2026:\n" +
        "  coverage     500 → 300\n" +
        '  description  "Kept back in 2026" → -\n' +
        "  metrics      purchase:conversion:purchase:increase:goal → none\n",
    );
    const same = await expctl(
      [
        "holdout",
        "set",
        "h2026",
        "--coverage",
        "500",
        "--description",
        "Kept back in 2026",
        "--metric",
        "purchase:conversion",
      ],
      [json(200, HOLDOUT)],
    );
    expect(same.stdout).toBe("replaced the definition of holdout h2026: nothing changed\n");
  });

  it("prints a holdout_locked refusal with exit 1", async () => {
    const locked = problem(
      409,
      "holdout_locked",
      "the coverage of holdout 'h2026' can only change while none of its experiments has run ('a' has): it decides who has been kept back",
    );
    const outcome = await expctl(["holdout", "set", "h2026", "--coverage", "300"], [json(200, HOLDOUT), locked]);
    expect(outcome).toMatchObject({ code: 1, stdout: "" });
    expect(outcome.stderr).toMatch(/^holdout_locked: the coverage of holdout 'h2026' can only change/);
  });

  it("removes a holdout, and prints the Worker's holdout_in_use refusal with exit 1", async () => {
    const removed = await expctl(["holdout", "rm", "h2026"], [() => new Response(null, { status: 204 })]);
    expect(removed).toMatchObject({ code: 0, stdout: "removed holdout h2026\n", stderr: "" });
    expect(removed.sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      "DELETE http://worker.test/v1/admin/holdouts/h2026",
    ]);
    expect(
      (await expctl(["holdout", "rm", "h2026", "--json"], [() => new Response(null, { status: 204 })])).stdout,
    ).toBe("");
    const detail = "holdout 'h2026' is named by experiment 'a'; archive them or remove it from their definitions first";
    const inUse = await expctl(["holdout", "remove", "h2026"], [problem(409, "holdout_in_use", detail)]);
    expect(inUse).toEqual({ code: 1, stdout: "", stderr: `holdout_in_use: ${detail}\n`, sent: inUse.sent });
  });

  it("prints a holdout's history, sending --limit", async () => {
    const record = { holdout: "h2026", mutation: "coverage=300", actor: "admin/ops", timestamp_secs: 1_800_000_000 };
    const outcome = await expctl(["holdout", "history", "h2026", "--limit", "0"], [json(200, { history: [record] })]);
    expect(outcome.sent[0]?.url).toBe("http://worker.test/v1/admin/holdouts/h2026/history?limit=0");
    expect(outcome.stdout).toBe(
      "TIME                  MUTATION      BY\n2027-01-15 08:00:00Z  coverage=300  admin/ops\n",
    );
  });

  it("sends holdout results' --method and --alpha, and prints the arms as an experiment's results", async () => {
    const results = {
      holdout: "h2026",
      coverage: 500,
      as_of_secs: 1_800_000_000,
      variants: [
        { name: "held_out", weight: 500, enrolled: 5, exposures: 0, observed_share: 0.05, expected_share: 0.05 },
        { name: "exposed", weight: 9500, enrolled: 95, exposures: 0, observed_share: 0.95, expected_share: 0.95 },
      ],
      srm: { test: "chi_square", statistic: 0, df: 1, p_value: 1, threshold: 0.001, status: "ok" },
      daily: [],
      analysis: { method: "fixed", alpha: 0.01, tuning: null, trustworthy: true },
      metrics: [],
    };
    const outcome = await expctl(
      ["holdout", "results", "h2026", "--method", "fixed", "--alpha", "0.01"],
      [json(200, results)],
    );
    expect(outcome.sent[0]?.url).toBe("http://worker.test/v1/admin/holdouts/h2026/results?method=fixed&alpha=0.01");
    expect(outcome.stdout).toBe(
      "holdout h2026: 500 bp (5%) held out; exposed is compared with held_out\n\n" +
        "VARIANT   WEIGHT  ENROLLED  EXPOSURES  OBSERVED  EXPECTED\n" +
        "held_out  500     5         0          5.00 %    5.00 %\n" +
        "exposed   9500    95        0          95.00 %   95.00 %\n" +
        "SRM: ok (chi-square 0.000, df 1, p 1.00, threshold 0.001)\n\n" +
        "metrics: none\n",
    );
  });

  it("lists layers: free ranges, a bar of the running experiments, and every experiment by range", async () => {
    const layers = {
      layers: [
        {
          name: "checkout",
          experiments: [
            { name: "a", state: "running", range: [0, 2500] },
            { name: "c", state: "draft", range: [2500, 5000] },
            { name: "b", state: "running", range: [5000, 7500] },
          ],
          free: [
            [2500, 5000],
            [7500, 10_000],
          ],
        },
        { name: "search", experiments: [{ name: "s", state: "running", range: [0, 10_000] }], free: [] },
      ],
    };
    const outcome = await expctl(["layers"], [json(200, layers)]);
    expect(outcome.sent.map((s) => `${s.method} ${s.url}`)).toEqual(["GET http://worker.test/v1/admin/layers"]);
    expect(outcome.stdout).toBe(
      "layer checkout: free [2500, 5000) [7500, 10000)\n" +
        "  |AAAAAAAAAA..........BBBBBBBBBB..........|\n" +
        "  KEY  RANGE         SHARE  EXPERIMENT  STATE\n" +
        "  A    [0, 2500)     25%    a           running\n" +
        "  -    [2500, 5000)  25%    c           draft\n" +
        "  B    [5000, 7500)  25%    b           running\n" +
        "\n" +
        "layer search: free none\n" +
        "  |AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA|\n" +
        "  KEY  RANGE       SHARE  EXPERIMENT  STATE\n" +
        "  A    [0, 10000)  100%   s           running\n",
    );
    expect((await expctl(["layers"], [json(200, { layers: [] })])).stdout).toBe("no layers\n");
  });

  it("sends create's --layer and --holdout in the definition, and show prints them", async () => {
    const layer = { name: "checkout", range: [0, 2500] };
    const created = config({ layer, holdout: "h2026" });
    const outcome = await expctl(
      ["create", "tg", "--variant", "a=1", "--variant", "b=1", "--layer", "checkout:0-2500", "--holdout", "h2026"],
      [problem(404, "not_found", "experiment 'tg' not found"), json(201, created)],
    );
    expect(outcome).toMatchObject({ code: 0, stdout: "created tg (draft)\n" });
    expect(JSON.parse(outcome.sent[1]?.body ?? "null")).toMatchObject({ layer, holdout: "h2026" });
    const shown = (await expctl(["show", "tg"], [json(200, created)])).stdout;
    expect(shown).toMatch(/^layer\s+checkout \[0, 2500\)$/m);
    expect(shown).toMatch(/^holdout\s+h2026$/m);
    const plain = (await expctl(["show", "tg"], [json(200, config())])).stdout;
    expect(plain).toMatch(/^layer\s+-$/m);
    expect(plain).toMatch(/^holdout\s+-$/m);
    const replaced = await expctl(
      ["create", "tg", "--variant", "a=1", "--variant", "b=1"],
      [json(200, created), json(200, config())],
    );
    expect(replaced.stdout).toBe(
      "replaced the definition of tg (draft):\n  layer    checkout [0, 2500) → none\n  holdout  h2026 → none\n",
    );
  });

  it("applies a file's holdouts before its experiments, reading both lists first", async () => {
    const file =
      "holdouts:\n  - {name: h2026, coverage: 500}\n" +
      "experiments:\n  - {name: tg, variants: [{name: a, weight: 1}], holdout: h2026, state: running}\n";
    const outcome = await expctl(
      ["apply", "-f", "x.yaml"],
      [
        json(200, { experiments: [] }),
        json(200, { holdouts: [] }),
        json(201, HOLDOUT),
        json(201, config({ holdout: "h2026" })),
        json(200, config({ holdout: "h2026", state: "running" })),
      ],
      {},
      file,
    );
    expect(outcome).toMatchObject({ code: 0, stderr: "" });
    expect(outcome.stdout).toBe(
      "create     holdout h2026: coverage 500\n" +
        "create     tg: a=1 | targeting everyone | coverage 10000 | hash version 1 | holdout h2026\n" +
        "start      tg\n" +
        "applied 3 step(s)\n",
    );
    expect(outcome.sent.map((s) => `${s.method} ${s.url.replace("http://worker.test/v1/admin/", "")}`)).toEqual([
      "GET experiments",
      "GET holdouts",
      "PUT holdouts/h2026",
      "PUT experiments/tg",
      "POST experiments/tg/start",
    ]);
    expect(JSON.parse(outcome.sent[2]?.body ?? "null")).toEqual({ coverage: 500 });
  });

  it("refuses a plan whose holdout cannot change, counting holdouts and experiments apart", async () => {
    const file =
      "holdouts:\n  - {name: h2026, coverage: 300}\n" +
      "experiments:\n  - {name: tg, variants: [{name: a, weight: 1}], holdout: ghost}\n";
    const ran = config({ name: "member", holdout: "h2026", state: "running", started_at_secs: 1_800_000_000 });
    const outcome = await expctl(
      ["apply", "-f", "x.yaml"],
      [json(200, { experiments: [ran] }), json(200, { holdouts: [{ ...HOLDOUT, members: ["member"] }] })],
      {},
      file,
    );
    expect(outcome).toMatchObject({
      code: 1,
      stdout:
        "impossible holdout h2026: coverage can only change while none of the holdout's experiments has run ('member' has) (500 → 300)\n" +
        "impossible tg: no holdout named 'ghost': declare it under holdouts, or create it first (expctl holdout set)\n",
      stderr: "nothing changed: 1 holdout(s) and 1 experiment(s) cannot be brought to what the file says\n",
    });
    expect(outcome.sent.map((s) => s.method)).toEqual(["GET", "GET"]);
  });
});
