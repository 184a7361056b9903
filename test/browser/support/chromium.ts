// Debian's Chromium for the browser tests. Playwright's own browser builds are
// downloaded from a CDN, which CI machines here cannot reach; Debian's package comes
// through apt, which they can. The test installs it when it is missing (CI runs as
// root), so a fresh machine needs no step of its own in .ci/run.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** Installs Debian's `chromium` with apt-get unless it is already there (about 20 s). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`${CHROMIUM} is missing: install it with \`sudo apt-get install -y chromium\``);
  }
  const apt = (...args: string[]) =>
    execFileSync("apt-get", args, {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 170_000,
    });
  // A fresh machine has no package lists yet.
  apt("update", "-qq");
  apt("install", "-y", "-qq", "chromium");
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but ${CHROMIUM} is still missing`);
}

/** Headless Chromium without a sandbox (root in a container), a GPU, or any call home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
