// The single-page application: built from web/ into web/dist, which the server serves.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { parse } from "yaml";

const root = fileURLToPath(new URL(".", import.meta.url));

// The region list of the form comes from the same data file the directory uses, so they never disagree.
function regionNames(): string[] {
  const file = fileURLToPath(new URL("../data/regions.yaml", import.meta.url));
  const doc = parse(readFileSync(file, "utf8")) as { regions: { name: string }[] };
  return doc.regions.map((r) => r.name).sort((a, b) => a.localeCompare(b, "ru"));
}

export default defineConfig({
  root,
  plugins: [react()],
  define: { __REGIONS__: JSON.stringify(regionNames()) },
  build: {
    outDir: "dist",
    sourcemap: true,
    // Stable file names: the server lists web/dist when it starts, so a rebuild under a running server (or
    // several builds from one checkout) keeps every name it knows valid. It sends them with max-age=0 and an
    // ETag, so hashed names would buy no caching here. Not emptied first, for the same reason.
    emptyOutDir: false,
    // The charts library is its own chunk, loaded only on the statistics page.
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      // A busy machine makes the bundler print timing notes on every build; they are not warnings about the app.
      checks: { bundlerTimings: false },
      output: {
        entryFileNames: "assets/[name].js",
        chunkFileNames: "assets/[name].js",
        assetFileNames: "assets/[name][extname]",
      },
    },
  },
  server: { proxy: { "/api": { target: "http://127.0.0.1:3000", changeOrigin: false } } },
});
