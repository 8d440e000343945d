export * from "./run-record.js";
