export * from "./step-controller.js";
export * from "./open-shell.js";
