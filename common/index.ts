export * from "./errors.js";
export * from "./run-process.js";
