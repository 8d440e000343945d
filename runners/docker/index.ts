export * from "./connect-docker.js";
export * from "./docker-job-container.js";
export * from "./image-builder.js";
export * from "./labels.js";
export * from "./reaper.js";
export * from "./remove-run.js";
