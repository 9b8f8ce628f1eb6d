// /widget.js, the embeddable chat: one classic script (React included), written into web/dist beside the app.
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  build: {
    outDir: fileURLToPath(new URL("../dist", import.meta.url)),
    emptyOutDir: false,
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL("main.tsx", import.meta.url)),
      name: "OtklikChat",
      formats: ["iife"],
      fileName: () => "widget.js",
    },
  },
});
