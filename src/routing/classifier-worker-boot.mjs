// A worker thread cannot start from a .ts file: register tsx here, as bin/otklik.js does, then load it.
import { register } from "tsx/esm/api";

register();
await import("./classifier-worker.ts");
