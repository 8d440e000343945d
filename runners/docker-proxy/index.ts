export * from "./engine-client.js";
export * from "./run-docker-api.js";
export { Refusal, SCOPE_LABEL, BUILT_BY_RUN_LABEL, BUILT_BY_JOB_LABEL, PORTS_LABEL } from "./scope-policy.js";
