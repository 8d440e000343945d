import type { BuiltinAction } from "../builtin-actions.js";
import type { NodeInstaller } from "../node-dist/index.js";
import type { RunStores } from "../services/index.js";
import { downloadArtifact, uploadArtifact } from "./artifacts.js";
import { cacheActions } from "./cache.js";
import { checkout } from "./checkout.js";
import { actionsRsToolchain, dtolnayRustToolchain } from "./rust-toolchain.js";
import { setupGo } from "./setup-go.js";
import { setupJava } from "./setup-java.js";
import { setupNode } from "./setup-node.js";
import { setupPython } from "./setup-python.js";
import type { ToolchainMismatch } from "./toolchain-setup.js";
import { wasmPackAction } from "./wasm-pack.js";

export type { ToolchainMismatch } from "./toolchain-setup.js";

/**
 * replay's built-in actions, those that keep caches and artifacts on the run's stores.
 * `toolchainMismatch`: what setup-go, setup-java and setup-python do when the image's
 * toolchain is not the version asked (fail the step by default).
 */
export function builtinActions(stores: RunStores, nodeInstaller?: NodeInstaller, toolchainMismatch: ToolchainMismatch = "fail"): readonly BuiltinAction[] {
  const setups = [setupGo(stores, toolchainMismatch), setupJava(stores, toolchainMismatch), setupPython(stores, toolchainMismatch)];
  return [checkout, setupNode(stores, nodeInstaller), ...setups, uploadArtifact(stores), downloadArtifact(stores), ...cacheActions(stores), dtolnayRustToolchain, actionsRsToolchain, wasmPackAction];
}

export { BUILTIN_ACTION_NAMES } from "./builtin-names.js";
