export * from "./errors.js";
export * from "./run-process.js";
export * from "./extra-ca.js";
export * from "./trace.js";
export * from "./cache-dir.js";
