import type { BuiltinAction } from "../builtin-actions.js";
import type { NodeInstaller } from "../node-dist/index.js";
import type { RunStores } from "../services/index.js";
import { downloadArtifact, uploadArtifact } from "./artifacts.js";
import { cacheActions } from "./cache.js";
import { checkout } from "./checkout.js";
import { actionsRsToolchain, dtolnayRustToolchain } from "./rust-toolchain.js";
import { setupNode } from "./setup-node.js";
import { wasmPackAction } from "./wasm-pack.js";

/** replay's built-in actions, those that keep caches and artifacts on the run's stores. */
export function builtinActions(stores: RunStores, nodeInstaller?: NodeInstaller): readonly BuiltinAction[] {
  return [checkout, setupNode(stores, nodeInstaller), uploadArtifact(stores), downloadArtifact(stores), ...cacheActions(stores), dtolnayRustToolchain, actionsRsToolchain, wasmPackAction];
}

/**
 * The names of the built-in actions, known before a run's stores exist: what --no-builtin
 * accepts, and what the up-front resolution of remote actions skips. A unit test keeps it
 * equal to builtinActions().
 */
export const BUILTIN_ACTION_NAMES: readonly string[] = [
  "actions/checkout",
  "actions/setup-node",
  "actions/upload-artifact",
  "actions/download-artifact",
  "actions/cache",
  "actions/cache/restore",
  "actions/cache/save",
  "dtolnay/rust-toolchain",
  "actions-rs/toolchain",
  "jetli/wasm-pack-action",
];
