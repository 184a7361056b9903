import { describe, expect, it } from "vitest";
import { ExperimentError } from "../../src/core/errors";
import {
  type Attributes,
  type AttributeValue,
  compareSemver,
  compileTargeting,
  evaluateTargeting,
  parseNumber,
  parseSemver,
  type SemVer,
  type TargetingCondition,
  type TargetingOperator,
  validateTargeting,
} from "../../src/core/targeting";
import { codePoints } from "../../src/core/text";

const MISSING = Symbol("missing");

/** [value of attribute "a" (or MISSING), whether the condition holds] */
type Row = [AttributeValue | typeof MISSING, boolean];

/** One table per operator and set of values: a test per row, named as a sentence. */
function operatorCases(operator: TargetingOperator, values: string[], rows: Row[], caseInsensitive = false) {
  const condition: TargetingCondition = { attribute: "a", operator, values, case_insensitive: caseInsensitive };
  const list = values.length === 0 ? "" : ` ${JSON.stringify(values)}`;
  const mode = caseInsensitive ? " (case-insensitive)" : "";
  return rows.map(([attribute, holds]) => {
    const subject = attribute === MISSING ? "a missing attribute" : `${typeof attribute} ${JSON.stringify(attribute)}`;
    const title = `${operator}${list}${mode} ${holds ? "holds" : "does not hold"} for ${subject}`;
    const attributes: Attributes = attribute === MISSING ? {} : { a: attribute };
    return { title, condition, attributes, holds };
  });
}

function describeOperator(operator: TargetingOperator, tables: ReturnType<typeof operatorCases>[]) {
  describe(`the ${operator} operator`, () => {
    it.each(tables.flat())("$title", ({ condition, attributes, holds }) => {
      expect(evaluateTargeting([condition], attributes)).toBe(holds ? -1 : 0);
    });
  });
}

describeOperator("in", [
  operatorCases(
    "in",
    ["DE", "AT"],
    [
      ["DE", true],
      ["AT", true],
      ["FR", false],
      ["de", false],
      ["DE ", false],
      [MISSING, false],
    ],
  ),
  operatorCases(
    "in",
    ["DE", "at"],
    [
      ["de", true],
      ["AT", true],
      ["FR", false],
      [MISSING, false],
    ],
    true,
  ),
  operatorCases("in", ["ÄPFEL"], [["äpfel", true]], true),
  operatorCases(
    "in",
    ["40"],
    [
      [40, true],
      [40.5, false],
      ["40", true],
    ],
  ),
  operatorCases(
    "in",
    ["1e+21", "0.5"],
    [
      [1e21, true],
      [0.5, true],
    ],
  ),
  operatorCases(
    "in",
    ["true"],
    [
      [true, true],
      [false, false],
      ["True", false],
    ],
  ),
  operatorCases("in", ["TRUE"], [[true, true]], true),
  operatorCases(
    "in",
    [""],
    [
      ["", true],
      [" ", false],
    ],
  ),
]);

describeOperator("not_in", [
  operatorCases(
    "not_in",
    ["DE", "AT"],
    [
      ["FR", true],
      ["DE", false],
      ["AT", false],
      ["de", true],
      [MISSING, true],
    ],
  ),
  operatorCases(
    "not_in",
    ["DE"],
    [
      ["de", false],
      ["FR", true],
      [MISSING, true],
    ],
    true,
  ),
  operatorCases(
    "not_in",
    ["40", "false"],
    [
      [40, false],
      [false, false],
      [41, true],
      [true, true],
    ],
  ),
]);

describeOperator("starts_with", [
  operatorCases(
    "starts_with",
    ["Mozilla/", "curl/"],
    [
      ["Mozilla/5.0", true],
      ["curl/8.5", true],
      ["mozilla/5.0", false],
      ["xMozilla/5.0", false],
      ["Mozilla", false],
      [MISSING, false],
    ],
  ),
  operatorCases("starts_with", ["MOZILLA/"], [["mozilla/5.0", true]], true),
  operatorCases(
    "starts_with",
    ["40"],
    [
      [404, true],
      [140, false],
    ],
  ),
]);

describeOperator("ends_with", [
  operatorCases(
    "ends_with",
    ["@example.com"],
    [
      ["ana@example.com", true],
      ["ana@EXAMPLE.COM", false],
      ["ana@example.com.evil", false],
      [MISSING, false],
    ],
  ),
  operatorCases("ends_with", ["@example.com"], [["ana@EXAMPLE.COM", true]], true),
  operatorCases(
    "ends_with",
    ["ue"],
    [
      [true, true],
      [false, false],
    ],
  ),
]);

describeOperator("contains", [
  operatorCases(
    "contains",
    ["beta", "rc"],
    [
      ["app-beta-2", true],
      ["2.0-rc", true],
      ["app-BETA-2", false],
      ["release", false],
      [MISSING, false],
    ],
  ),
  operatorCases("contains", ["beta"], [["app-BETA-2", true]], true),
  operatorCases(
    "contains",
    ["."],
    [
      [1.5, true],
      [15, false],
    ],
  ),
]);

describeOperator("num_eq", [
  operatorCases(
    "num_eq",
    ["18", "18.5"],
    [
      [18, true],
      [18.5, true],
      ["18", true],
      ["18.0", true],
      ["1.8e1", true],
      ["1.85E+1", true],
      [19, false],
      ["018", false],
      ["+18", false],
      [" 18", false],
      ["18abc", false],
      ["0x12", false],
      ["", false],
      [true, false],
      [MISSING, false],
    ],
  ),
  operatorCases(
    "num_eq",
    ["0"],
    [
      ["-0", true],
      [-0, true],
    ],
  ),
]);

describeOperator("num_gt", [
  operatorCases(
    "num_gt",
    ["18", "21"],
    [
      [19, true],
      ["18.001", true],
      [18, false],
      [-20, false],
      ["1e400", false],
      ["Infinity", false],
      ["NaN", false],
      ["nineteen", false],
      [MISSING, false],
    ],
  ),
]);

describeOperator("num_gte", [
  operatorCases(
    "num_gte",
    ["18"],
    [
      [18, true],
      ["18", true],
      [1e21, true],
      [17.999, false],
      [MISSING, false],
    ],
  ),
]);

describeOperator("num_lt", [
  operatorCases(
    "num_lt",
    ["10", "20"],
    [
      [19, true],
      [-5, true],
      ["-1e3", true],
      [20, false],
      [MISSING, false],
    ],
  ),
]);

describeOperator("num_lte", [
  operatorCases(
    "num_lte",
    ["20"],
    [
      [20, true],
      ["2e1", true],
      [20.5, false],
      [false, false],
      [MISSING, false],
    ],
  ),
]);

describeOperator("semver_eq", [
  operatorCases(
    "semver_eq",
    ["2.0.0"],
    [
      ["2.0.0", true],
      ["2.0.0+build.7", true],
      ["2.0.0-rc.1", false],
      ["v2.0.0", false],
      ["2.0", false],
      ["2.0.0 ", false],
      [2, false],
      [MISSING, false],
    ],
  ),
  operatorCases("semver_eq", ["1.0.0+a"], [["1.0.0+b", true]]),
  operatorCases(
    "semver_eq",
    ["1.0.0", "1.1.0-beta"],
    [
      ["1.1.0-beta", true],
      ["1.1.0", false],
    ],
  ),
]);

describeOperator("semver_gt", [
  operatorCases(
    "semver_gt",
    ["2.0.0"],
    [
      ["2.0.1", true],
      ["10.0.0", true],
      ["2.1.0-alpha", true],
      ["2.0.0", false],
      ["2.0.0+build.1", false],
      ["2.0.0-rc.1", false],
      ["1.99.99", false],
      ["not.a.version", false],
      ["v3.0.0", false],
      [3, false],
      [MISSING, false],
    ],
  ),
  operatorCases(
    "semver_gt",
    ["1.0.0-alpha"],
    [
      ["1.0.0-alpha.1", true],
      ["1.0.0-alpha.0", true],
      ["1.0.0-beta", true],
      ["1.0.0", true],
      ["1.0.0-alpha", false],
      ["1.0.0-1", false],
    ],
  ),
  operatorCases(
    "semver_gt",
    ["3.0.0", "2.0.0"],
    [
      ["2.5.0", true],
      ["1.5.0", false],
    ],
  ),
]);

describeOperator("semver_lt", [
  operatorCases(
    "semver_lt",
    ["2.0.0"],
    [
      ["1.9.9", true],
      ["1.10.0", true],
      ["2.0.0-rc.1", true],
      ["2.0.0", false],
      ["2.0.1", false],
      ["v1.0.0", false],
      ["1.0", false],
      [MISSING, false],
    ],
  ),
  operatorCases(
    "semver_lt",
    ["1.0.0", "3.0.0"],
    [
      ["2.5.0", true],
      ["3.0.0", false],
    ],
  ),
]);

describeOperator("exists", [
  operatorCases(
    "exists",
    [],
    [
      ["x", true],
      ["", true],
      [0, true],
      [false, true],
      [MISSING, false],
    ],
  ),
]);

describe("case_insensitive on operators that are not about strings", () => {
  it.each([
    ["semver_eq", ["1.0.0-RC.1"], "1.0.0-rc.1", 0],
    ["semver_eq", ["1.0.0-rc.1"], "1.0.0-rc.1", -1],
    ["num_eq", ["1e3"], "1E3", -1],
    ["exists", [], "x", -1],
  ] as const)("%s %j against %j is accepted and changes nothing", (operator, values, attribute, expected) => {
    const condition = { attribute: "a", operator, values: [...values] };
    expect(evaluateTargeting([{ ...condition, case_insensitive: true }], { a: attribute })).toBe(expected);
    expect(evaluateTargeting([{ ...condition, case_insensitive: false }], { a: attribute })).toBe(expected);
  });
});

describe("attribute lookup", () => {
  it("does not read missing attributes from the object prototype", () => {
    expect(
      evaluateTargeting([{ attribute: "constructor", operator: "exists", values: [], case_insensitive: false }], {}),
    ).toBe(0);
    expect(
      evaluateTargeting([{ attribute: "toString", operator: "not_in", values: ["x"], case_insensitive: false }], {}),
    ).toBe(-1);
  });

  it("treats an own __proto__ key parsed from JSON as present", () => {
    const attributes = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
    expect(
      evaluateTargeting(
        [{ attribute: "__proto__", operator: "in", values: ["x"], case_insensitive: false }],
        attributes,
      ),
    ).toBe(-1);
  });
});

describe("evaluateTargeting across conditions", () => {
  const targeting: TargetingCondition[] = [
    { attribute: "country", operator: "in", values: ["DE", "AT"], case_insensitive: false },
    { attribute: "age", operator: "num_gte", values: ["18"], case_insensitive: false },
    { attribute: "app_version", operator: "semver_gt", values: ["2.0.0"], case_insensitive: false },
  ];

  it("returns -1 when every condition holds", () => {
    expect(evaluateTargeting(targeting, { country: "DE", age: 30, app_version: "2.1.0" })).toBe(-1);
  });

  it("returns the index of the first condition that does not hold", () => {
    expect(evaluateTargeting(targeting, { country: "DE", age: 17, app_version: "1.0.0" })).toBe(1);
    expect(evaluateTargeting(targeting, { country: "DE", age: 30, app_version: "1.0.0" })).toBe(2);
    expect(evaluateTargeting(targeting, {})).toBe(0);
  });

  it("lets everyone in when there are no conditions", () => {
    expect(evaluateTargeting([], {})).toBe(-1);
  });

  it("ignores attributes that no condition names", () => {
    expect(evaluateTargeting(targeting, { country: "AT", age: 18, app_version: "3.0.0", plan: "pro" })).toBe(-1);
  });
});

describe("compileTargeting", () => {
  it("gives a predicate that can be reused for many callers", () => {
    const excludedBy = compileTargeting([
      { attribute: "country", operator: "in", values: ["de"], case_insensitive: true },
    ]);
    expect(excludedBy({ country: "DE" })).toBe(-1);
    expect(excludedBy({ country: "FR" })).toBe(0);
    expect(excludedBy({ country: "de" })).toBe(-1);
  });

  it("does not see later changes to the conditions it compiled", () => {
    const values = ["DE"];
    const excludedBy = compileTargeting([{ attribute: "country", operator: "in", values, case_insensitive: false }]);
    values.push("FR");
    expect(excludedBy({ country: "FR" })).toBe(0);
  });

  it("makes a value that does not parse match nothing instead of throwing", () => {
    const excludedBy = compileTargeting([
      { attribute: "n", operator: "num_gt", values: ["abc", "5"], case_insensitive: false },
    ]);
    expect(excludedBy({ n: 6 })).toBe(-1);
    expect(excludedBy({ n: 4 })).toBe(0);
    expect(
      compileTargeting([{ attribute: "v", operator: "semver_eq", values: ["x.y"], case_insensitive: false }])({
        v: "x.y",
      }),
    ).toBe(0);
  });

  it("makes an unknown operator hold for nobody", () => {
    const condition = { attribute: "a", operator: "regex", values: ["."] } as unknown as TargetingCondition;
    expect(compileTargeting([condition])({ a: "x" })).toBe(0);
  });
});

describe("parseNumber", () => {
  it.each([
    ["0", 0],
    ["-0", -0],
    ["18", 18],
    ["-1.5", -1.5],
    ["1e3", 1000],
    ["1E+3", 1000],
    ["2.5e-3", 0.0025],
    ["1.7976931348623157e308", Number.MAX_VALUE],
  ])("reads %j as %d", (text, value) => {
    expect(parseNumber(text)).toBe(value);
  });

  it.each([
    "",
    "+1",
    "01",
    "-01",
    ".5",
    "5.",
    "-",
    "1e",
    "1e+",
    "0x10",
    "1_000",
    "1,5",
    " 1",
    "1 ",
    "1\n",
    "Infinity",
    "NaN",
    "1e400",
    "١",
  ])("refuses %j", (text) => {
    expect(parseNumber(text)).toBeNull();
  });
});

describe("parseSemver", () => {
  it.each([
    ["0.0.0", { major: "0", minor: "0", patch: "0", prerelease: [] }],
    ["10.20.30", { major: "10", minor: "20", patch: "30", prerelease: [] }],
    ["1.2.3-0", { major: "1", minor: "2", patch: "3", prerelease: ["0"] }],
    ["1.2.3-alpha.0.x-y", { major: "1", minor: "2", patch: "3", prerelease: ["alpha", "0", "x-y"] }],
    ["1.2.3-0a.--", { major: "1", minor: "2", patch: "3", prerelease: ["0a", "--"] }],
    ["1.0.0+20130313144700", { major: "1", minor: "0", patch: "0", prerelease: [] }],
    ["1.0.0-beta+exp.sha.5114f85", { major: "1", minor: "0", patch: "0", prerelease: ["beta"] }],
    ["99999999999999999999.0.0", { major: "99999999999999999999", minor: "0", patch: "0", prerelease: [] }],
  ])("reads %j", (text, version) => {
    expect(parseSemver(text)).toEqual(version);
  });

  it.each([
    "",
    "x.y",
    "1",
    "1.2",
    "1.2.3.4",
    "v1.2.3",
    "V1.2.3",
    "=1.2.3",
    " 1.2.3",
    "1.2.3 ",
    "1.2.3\n",
    "01.2.3",
    "1.02.3",
    "1.2.03",
    "1.2.3-01",
    "1.2.3-",
    "1.2.3+",
    "1.2.3-a..b",
    "1.2.3-a.",
    "1.2.3+a+b",
    "1.2.3-ä",
    "-1.2.3",
    "1.2.x",
  ])("refuses %j", (text) => {
    expect(parseSemver(text)).toBeNull();
  });
});

describe("compareSemver", () => {
  const semver = (text: string): SemVer => {
    const version = parseSemver(text);
    if (version === null) throw new Error(`not a version: ${text}`);
    return version;
  };

  // Ascending: the chain of semver.org's item 11, then cases libraries get wrong.
  const ascending = [
    ["1.0.0-alpha", "1.0.0-alpha.1"],
    ["1.0.0-alpha.1", "1.0.0-alpha.beta"],
    ["1.0.0-alpha.beta", "1.0.0-beta"],
    ["1.0.0-beta", "1.0.0-beta.2"],
    ["1.0.0-beta.2", "1.0.0-beta.11"],
    ["1.0.0-beta.11", "1.0.0-rc.1"],
    ["1.0.0-rc.1", "1.0.0"],
    ["1.0.0-alpha", "1.0.0-alpha.0"],
    ["1.0.0-rc.1", "1.0.0-rc.1.0"],
    ["1.0.0-1a", "1.0.0-1b"],
    ["1.0.0-1", "1.0.0-a"],
    ["1.0.0-999", "1.0.0--"],
    ["1.0.0-2", "1.0.0-10"],
    ["1.0.0-Z", "1.0.0-a"],
    ["1.0.0-a", "1.0.0-a-b"],
    ["1.0.0-a-", "1.0.0-a0"],
    ["0.0.0", "0.0.1"],
    ["1.0.0", "1.0.1"],
    ["1.0.1", "1.1.0"],
    ["1.9.0", "1.10.0"],
    ["1.99.99", "2.0.0-0"],
    ["9007199254740992.0.0", "9007199254740993.0.0"],
    ["99999999999999999999.0.0", "100000000000000000000.0.0"],
  ];

  it.each(ascending)("ranks %s below %s", (lower, higher) => {
    expect(compareSemver(semver(lower), semver(higher))).toBeLessThan(0);
    expect(compareSemver(semver(higher), semver(lower))).toBeGreaterThan(0);
  });

  it.each([
    ["1.0.0", "1.0.0"],
    ["1.0.0+a", "1.0.0+b"],
    ["1.0.0-rc.1+a", "1.0.0-rc.1"],
  ])("ranks %s equal to %s", (a, b) => {
    expect(compareSemver(semver(a), semver(b))).toBe(0);
  });
});

describe("codePoints", () => {
  it.each([
    ["", 0],
    ["abc", 3],
    ["😀", 1],
    ["a😀b", 3],
    ["\uD800", 1],
  ])("counts %j as %i characters", (text, length) => {
    expect(codePoints(text)).toBe(length);
  });
});

describe("validateTargeting", () => {
  const condition = (values: string[], operator: TargetingOperator = "in"): TargetingCondition => ({
    attribute: "country",
    operator,
    values,
    case_insensitive: false,
  });

  function invalidConfig(conditions: readonly TargetingCondition[]): string {
    try {
      validateTargeting(conditions);
    } catch (error) {
      expect(error).toBeInstanceOf(ExperimentError);
      expect((error as ExperimentError).code).toBe("invalid_config");
      return (error as ExperimentError).message;
    }
    throw new Error("validateTargeting accepted the conditions");
  }

  it("accepts no conditions", () => {
    expect(() => validateTargeting([])).not.toThrow();
  });

  it("accepts 20 conditions and refuses 21", () => {
    const twenty = Array.from({ length: 20 }, () => condition(["DE"]));
    expect(() => validateTargeting(twenty)).not.toThrow();
    expect(invalidConfig([...twenty, condition(["DE"])])).toBe("targeting has 21 conditions (at most 20)");
  });

  it("accepts 100 values and refuses 101", () => {
    const values = Array.from({ length: 100 }, (_, i) => `v${i}`);
    expect(() => validateTargeting([condition(values)])).not.toThrow();
    expect(invalidConfig([condition([...values, "v100"])])).toBe("targeting[0] (country): 101 values (at most 100)");
  });

  it.each([
    ["ASCII", "a".repeat(256), "a".repeat(257)],
    ["4-byte", "😀".repeat(256), "😀".repeat(257)],
    ["mixed", `${"a".repeat(255)}😀`, `${"a".repeat(256)}😀`],
  ])("accepts a value of 256 %s characters and refuses 257", (_, fits, tooLong) => {
    expect(() => validateTargeting([condition([fits])])).not.toThrow();
    expect(invalidConfig([condition(["DE", tooLong])])).toBe(
      "targeting[0] (country): values[1] is longer than 256 characters",
    );
  });

  it.each(["\uD800", "a\uDC00b", "😀".slice(0, 1)])("refuses a value %j that is not well-formed Unicode", (value) => {
    expect(invalidConfig([condition([value])])).toBe("targeting[0] (country): values[0] is not well-formed Unicode");
  });

  it("accepts an empty string as a value", () => {
    expect(() => validateTargeting([condition([""])])).not.toThrow();
  });

  it.each([
    "app_version",
    "user.plan",
    "A-b_9",
    "a".repeat(64),
    "_proto_",
    "constructors",
    "prototype.id",
    "Constructor",
  ])("accepts the attribute name %j", (name) => {
    expect(() =>
      validateTargeting([{ attribute: name, operator: "exists", values: [], case_insensitive: false }]),
    ).not.toThrow();
  });

  it.each(["", "a".repeat(65), "has space", "a:b", "a/b", "ünïcode", "a\n", "__proto__", "constructor", "prototype"])(
    "refuses the attribute name %j",
    (name) => {
      expect(
        invalidConfig([
          condition(["DE"]),
          { attribute: name, operator: "exists", values: [], case_insensitive: false },
        ]),
      ).toBe(
        `targeting[1]: attribute name '${name}' must be 1 to 64 letters, digits, '_', '.' or '-', and not __proto__, constructor, prototype`,
      );
    },
  );

  it.each(["regex", "IN", "", "exist"])("refuses the unknown operator %j", (operator) => {
    expect(invalidConfig([condition(["DE"], operator as TargetingOperator)])).toBe(
      `targeting[0] (country): unknown operator '${operator}'`,
    );
  });

  it("refuses values on exists", () => {
    expect(invalidConfig([condition(["DE"], "exists")])).toBe("targeting[0] (country): 'exists' takes no values");
  });

  it.each(["in", "not_in", "starts_with", "num_eq", "semver_gt"] as const)("refuses %s without values", (operator) => {
    expect(invalidConfig([condition([], operator)])).toBe(
      `targeting[0] (country): '${operator}' needs at least one value`,
    );
  });

  it.each(["num_eq", "num_gt", "num_gte", "num_lt", "num_lte"] as const)("accepts JSON numbers on %s", (operator) => {
    expect(() => validateTargeting([condition(["18", "-1.5", "2e3"], operator)])).not.toThrow();
  });

  it.each([
    ["num_gte", "abc"],
    ["num_gt", "01"],
    ["num_eq", "1e400"],
    ["num_lt", ""],
    ["num_lte", "2.0.0"],
  ] as const)("refuses on %s the value %j, which is not a number", (operator, value) => {
    expect(invalidConfig([condition(["18", value], operator)])).toBe(
      `targeting[0] (country): '${value}' is not a number`,
    );
  });

  it.each(["semver_eq", "semver_gt", "semver_lt"] as const)("accepts semantic versions on %s", (operator) => {
    expect(() => validateTargeting([condition(["1.0.0", "2.0.0-rc.1+build.5"], operator)])).not.toThrow();
  });

  it("names the failing condition by index and attribute", () => {
    const targeting: TargetingCondition[] = [
      { attribute: "country", operator: "in", values: ["DE"], case_insensitive: false },
      { attribute: "age", operator: "num_gte", values: ["18"], case_insensitive: false },
      { attribute: "app_version", operator: "semver_gt", values: ["2.0.0", "x.y"], case_insensitive: false },
    ];
    expect(invalidConfig(targeting)).toBe("targeting[2] (app_version): 'x.y' is not a semantic version");
  });

  it.each(["v1.0.0", "1.0", "01.0.0", "18"])("refuses %j as a semantic version", (value) => {
    expect(invalidConfig([condition([value], "semver_lt")])).toBe(
      `targeting[0] (country): '${value}' is not a semantic version`,
    );
  });

  it("accepts strings that look like numbers or versions on the string operators", () => {
    expect(() => validateTargeting([condition(["x.y", "abc"], "starts_with")])).not.toThrow();
  });
});
