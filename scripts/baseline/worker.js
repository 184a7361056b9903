// The HTTP benchmark's baseline: the least a Worker can do (a small JSON body, nothing
// else), under the same local runtime and deployed the same way as the project's Worker
// (wrangler.toml beside this file).
// biome-ignore lint/style/noDefaultExport: Wrangler loads the Worker from the default export.
export default {
  fetch() {
    return new Response('{"ok":true}', { headers: { "content-type": "application/json" } });
  },
};
