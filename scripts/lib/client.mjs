// A small HTTP client for the scripts that drive a running Worker, and a checker that
// counts passed and failed checks and prints the closing "N passed, N failed" line.

export function client(base, token) {
  async function request(method, path, body, headers = {}) {
    const init = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["content-type"] = "application/json";
    }
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    let json = null;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      json = { unparsed: text };
    }
    return { status: response.status, headers: response.headers, body: json };
  }
  const auth = { authorization: `Bearer ${token}`, "x-admin-actor": "smoke@example.com" };
  return {
    request,
    admin: (method, path, body) => request(method, `/v1/admin${path}`, body, auth),
    assign: (experiment, actor) =>
      request("GET", `/v1/assign/${encodeURIComponent(experiment)}?actor=${encodeURIComponent(actor)}`),
    batch: (actor, experiments) => request("POST", "/v1/assign", { actor, experiments }),
  };
}

/** Polls `probe` until it returns true, for at most `ms`. */
export async function eventually(probe, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function checker(name) {
  let passed = 0;
  let failed = 0;
  return {
    check(condition, what, detail) {
      if (condition) passed++;
      else {
        failed++;
        console.error(`FAIL ${what}${detail === undefined ? "" : `: ${JSON.stringify(detail)}`}`);
      }
      return condition;
    },
    get failed() {
      return failed;
    },
    finish() {
      console.log(`${name}: ${passed} passed, ${failed} failed`);
      return failed === 0 ? 0 : 1;
    },
  };
}
