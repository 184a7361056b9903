// expctl's own syntaxes: `--variant a=1`, `--attr k=v`, `--target 'attr op v1,v2'`, and
// the apply file; each a pure function that throws UsageError (exit 2).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseApplyFile } from "../../src/cli/apply-file";
import { attributesOf, parseAttribute, parseCount, parseTarget, parseVariant } from "../../src/cli/args";
import { UsageError } from "../../src/cli/errors";
import { conditionText } from "../../src/cli/format";

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

  it("keeps an attribute named __proto__ as an attribute, for the Worker to refuse in words", () => {
    const attributes = attributesOf(["__proto__=x"]);
    expect(Object.entries(attributes)).toEqual([["__proto__", "x"]]);
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

describe("whole numbers", () => {
  it("reads digits only", () => {
    expect(parseCount("2500", "coverage")).toBe(2500);
    expect(() => parseCount("25%", "coverage")).toThrow("coverage must be a whole number, not '25%'");
    expect(() => parseCount("-1", "--limit")).toThrow(UsageError);
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
    expect(parseApplyFile(text, "x.yaml")).toEqual([
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

  it("refuses a file without an experiments list", () => {
    expect(() => parseApplyFile("", "x.yaml")).toThrow(UsageError);
    expect(() => parseApplyFile("experiments: {}", "x.yaml")).toThrow("must be a list of experiments");
  });
});
