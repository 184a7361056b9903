import document from "../../../api/openapi.json";
import type { Handlers } from "../handler";

/**
 * The OpenAPI 3.1 document, generated at build time from `src/api` by
 * `npm run openapi` (the Worker ships the document, not the generator).
 */
export const openapiHandlers: Handlers<"openapi"> = {
  openapi: async () => new Response(JSON.stringify(document), { headers: { "content-type": "application/json" } }),
};
