// `npm run openapi`: writes the OpenAPI 3.1 document from the API's own definitions
// (src/api: the route table, the valibot schemas, the error table) to docs/openapi.json,
// which the static assets serve at GET /openapi.json (the asset build copies it, and
// this script runs that build), and to docs/openapi.yaml, the same document for readers. `-- --check` writes nothing and
// fails if either committed file differs from what would be written (CI runs it).
import { readFileSync, writeFileSync } from "node:fs";
import { toJsonSchema, toJsonSchemaDefs } from "@valibot/to-json-schema";
import { stringify } from "yaml";
import { buildDashboard } from "./build-dashboard.mjs";
import { bundleForNode } from "./lib/bundle.mjs";

const JSON_FILE = new URL("../docs/openapi.json", import.meta.url);
const YAML_FILE = new URL("../docs/openapi.yaml", import.meta.url);

/** src/api, bundled for Node with valibot left external (the converter must see the same instance). */
function loadApi() {
  const contents = `export * from "./src/api/routes"; export * from "./src/api/schemas"; export * from "./src/api/problems";`;
  return bundleForNode({ contents }, ".bench/api.mjs", { external: ["valibot"] }).then((url) => import(url));
}

const api = await loadApi();
const { ROUTES, NAMED_SCHEMAS, PROBLEMS, COMMON_ERRORS, ADMIN_ERRORS } = api;

const config = {
  target: "draft-2020-12",
  // A `check` is JavaScript (the actor rule); each one's schema documents it with metadata.
  // `finite` refuses what JSON.parse makes of 1e400; a JSON Schema number is finite already.
  // A `transform` turns a query parameter's text into its value (`alpha`): the parameter
  // travels as the text its regex and metadata describe.
  ignoreActions: ["check", "finite", "transform"],
  // A pipeline of several schemas (a custom guard, then the real shape) is documented by its last.
  typeMode: "output",
  definitions: NAMED_SCHEMAS,
  overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
};
/** One schema as JSON Schema, referring to the named ones by `$ref`. */
function schemaOf(valibotSchema) {
  const { $schema, $defs, ...rest } = toJsonSchema(valibotSchema, config);
  return rest;
}

const toOpenApiPath = (path) => path.replace(/:(\w+)/g, "{$1}");

function parametersOf(route) {
  const parameters = [];
  for (const [where, schema] of [
    ["path", route.params],
    ["query", route.query],
  ]) {
    if (schema === undefined) continue;
    for (const [name, entry] of Object.entries(schema.entries)) {
      const optional = entry.type === "optional";
      parameters.push({ name, in: where, required: !optional, schema: schemaOf(optional ? entry.wrapped : entry) });
    }
  }
  return parameters;
}

function errorResponses(route) {
  const codes = [
    ...COMMON_ERRORS,
    ...(route.access === "public" ? [] : ADMIN_ERRORS),
    ...(route.access === "write" ? ["forbidden"] : []),
    ...route.errors,
  ];
  const byStatus = new Map();
  for (const code of new Set(codes)) {
    const { status } = PROBLEMS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[status] = {
      description: list.join(", "),
      content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
    };
  }
  return responses;
}

function operationOf(id, route) {
  const operation = {
    operationId: id,
    tags: [route.access === "public" ? "public" : "admin"],
    summary: route.summary,
  };
  const cors = route.cors
    ? "Pages on the origins in the var `CORS_ORIGINS` may call it from a browser, with credentials (CORS; " +
      "preflights are answered by `OPTIONS` on the same path)."
    : undefined;
  const description = [route.description, cors].filter((part) => part !== undefined).join(" ");
  if (description !== "") operation.description = description;
  if (route.access !== "public") operation.security = [{ bearer: [] }];
  const parameters = parametersOf(route);
  if (parameters.length > 0) operation.parameters = parameters;
  if (route.body !== undefined) {
    operation.requestBody = { required: true, content: { "application/json": { schema: schemaOf(route.body) } } };
  }
  operation.responses = {};
  for (const [status, { description, schema }] of Object.entries(route.responses)) {
    operation.responses[status] =
      schema === null
        ? { description }
        : { description, content: { "application/json": { schema: schemaOf(schema) } } };
  }
  Object.assign(operation.responses, errorResponses(route));
  return operation;
}

const paths = {};
for (const [id, route] of Object.entries(ROUTES)) {
  const path = toOpenApiPath(route.path);
  paths[path] ??= {};
  paths[path][route.method.toLowerCase()] = operationOf(id, route);
}

const document = {
  openapi: "3.1.0",
  info: {
    title: "edge-experiments",
    version: "1.0.0",
    description:
      "A/B experiment assignment at the edge (Cloudflare Workers). Generated by `npm run openapi` from src/api; " +
      "do not edit. Field names are the reference module's serde names (snake_case). Every response of the Worker carries " +
      "`Cache-Control: no-store` and `X-Request-Id`. Errors are `application/problem+json` (RFC 9457) with a " +
      "`code` from the ErrorCode schema and, for invalid requests, `errors` naming each offending field. " +
      "`HEAD` on a `GET` route is that `GET` without its body; `OPTIONS` on a known path is `204` with `Allow`. " +
      "Request bodies are `application/json` (UTF-8) of at most 64 KiB, declared or sent (`413`), with no key " +
      "given twice in one object (`400`); another `Content-Type` is `415`. Header values that were not valid " +
      "UTF-8 (U+FFFD) are `400`.",
  },
  servers: [{ url: "http://localhost:8787", description: "npm run dev" }],
  tags: [
    { name: "public", description: "Assignment: which variant an actor sees. No credentials." },
    { name: "admin", description: "Needs `Authorization: Bearer <ADMIN_TOKEN>`." },
  ],
  paths,
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    schemas: toJsonSchemaDefs(NAMED_SCHEMAS, config),
  },
};

const json = `${JSON.stringify(document, null, 2)}\n`;
const yaml = `# Generated by \`npm run openapi\` from src/api; do not edit.\n${stringify(document, { lineWidth: 0 })}`;

if (process.argv.includes("--check")) {
  const stale = [
    [JSON_FILE, json],
    [YAML_FILE, yaml],
  ].filter(([file, text]) => readFileSync(file, "utf8") !== text);
  for (const [file] of stale) console.error(`${file.pathname} differs from what npm run openapi writes; run it`);
  process.exitCode = stale.length === 0 ? 0 : 1;
  if (stale.length === 0) console.log("openapi: the committed documents are up to date");
} else {
  writeFileSync(JSON_FILE, json);
  writeFileSync(YAML_FILE, yaml);
  // The served copy (dist/assets/openapi.json), so that a running `wrangler dev` serves the new one.
  await buildDashboard();
  console.log(`openapi: wrote ${JSON_FILE.pathname} and ${YAML_FILE.pathname}, and the served copy`);
}
