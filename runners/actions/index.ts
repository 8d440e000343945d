export * from "./action-cache.js";
export * from "./action-inputs.js";
export * from "./action-manifest.js";
export * from "./container-action-runtime.js";
export { ACTION_IMAGE_LABEL } from "./docker-action.js";
export type { ActionServices, LoadedAction } from "./load-action.js";
export * from "./node-runtime.js";
export * from "./plan-actions.js";
export { planPreStep, runActionStep } from "./run-action-step.js";
