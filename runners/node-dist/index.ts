export * from "./bundled-tools.js";
export * from "./lts-lines.js";
export * from "./node-index.js";
export * from "./node-installer.js";
export * from "./node-version-file.js";
export * from "./resolve-node-version.js";
export * from "./job-node.js";
