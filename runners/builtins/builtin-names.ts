/**
 * The names of the built-in actions, known before a run's stores exist: what --no-builtin
 * accepts, and what the up-front resolution of remote actions skips. A unit test keeps it
 * equal to builtinActions().
 */
export const BUILTIN_ACTION_NAMES: readonly string[] = [
  "actions/checkout",
  "actions/setup-node",
  "actions/setup-go",
  "actions/setup-java",
  "actions/setup-python",
  "actions/upload-artifact",
  "actions/download-artifact",
  "actions/cache",
  "actions/cache/restore",
  "actions/cache/save",
  "dtolnay/rust-toolchain",
  "actions-rs/toolchain",
  "jetli/wasm-pack-action",
];
