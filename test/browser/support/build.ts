// @ts-expect-error -- no declaration file for the build script (plain JavaScript, run by npm)
import { buildDashboard as build } from "../../../scripts/build-dashboard.mjs";

/** Builds src/dashboard into dist/assets (what wrangler.toml's [assets] serves); writes only what changed. */
export const buildDashboard: () => Promise<{ path: string; bytes: number; written: boolean }[]> = build;
