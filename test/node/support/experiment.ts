/**
 * Defines `name` half and half (with `more` of the definition: metrics, say) through the
 * admin API of the Worker at `url`, starts it, and resolves once the edge assigns it
 * (the registry publishes within about a second). The actor `ready` is then enrolled.
 */
export async function runningFiftyFifty(url: string, token: string, name: string, more: object = {}): Promise<void> {
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${url}/v1/admin/experiments/${name}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const variants = [
    { name: "control", weight: 50 },
    { name: "treatment", weight: 50 },
  ];
  const defined = await admin("PUT", "", { variants, ...more });
  if (defined.status !== 201) throw new Error(`defining ${name}: ${defined.status} ${await defined.text()}`);
  const started = await admin("POST", "/start");
  if (started.status !== 200) throw new Error(`starting ${name}: ${started.status} ${await started.text()}`);
  for (let i = 0; i < 50; i++) {
    if ((await fetch(`${url}/v1/assign/${name}?actor=ready`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} never reached the edge`);
}
