export default {
  async fetch(): Promise<Response> {
    return new Response("todo", { status: 501 });
  },
} satisfies ExportedHandler;
