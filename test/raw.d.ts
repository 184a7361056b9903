// Vite's `?raw` imports: a file's text.
declare module "*?raw" {
  const text: string;
  // biome-ignore lint/style/noDefaultExport: Vite's `?raw` modules have only a default export.
  export default text;
}
