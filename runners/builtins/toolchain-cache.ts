import path from "node:path";
import type { StepHost } from "../job/step-host.js";
import type { RunStores } from "../services/index.js";
import { restoreCache, saveCache } from "./cache-archive.js";

// The `cache:` of setup-go, setup-java and setup-python on the run's cache store, as the
// originals do it: restore the tool's cache folders under a key of the dependency files'
// hash in the main step, save them in the post step (on success) unless the key was hit.

const STATE = { paths: "TOOLCHAIN_CACHE_PATHS", key: "TOOLCHAIN_CACHE_KEY", matched: "TOOLCHAIN_CACHE_MATCHED" } as const;

export interface ToolchainCacheSpec {
  /** The folders to keep (absolute in the job container). */
  paths: string[];
  /** The key before the dependency files' hash. */
  keyPrefix: string;
  /** hashFiles() patterns of the dependency files (relative to the workspace). */
  dependencyFiles: string[];
  /** What the original does when no dependency file is there: fail the step, or warn and go on without a cache. */
  missing: { level: "error" | "warning"; message: string };
}

/** Restores the cache; answers false (an error logged) when the original would fail the step. */
export async function restoreToolchainCache(host: StepHost, stores: RunStores, spec: ToolchainCacheSpec): Promise<boolean> {
  const patterns = spec.dependencyFiles.map((p) => (path.posix.isAbsolute(p) ? path.posix.relative(host.workspace, p) : p));
  const hash = await (host.evalOptions().hashFiles ?? host.deps.hashFiles)(patterns);
  if (!hash) {
    if (spec.missing.level === "warning") host.warn(spec.missing.message);
    else host.log(`##[error]${spec.missing.message}`);
    return spec.missing.level === "warning";
  }
  const key = `${spec.keyPrefix}-${hash}`;
  host.saveState(STATE.paths, JSON.stringify(spec.paths));
  host.saveState(STATE.key, key);
  try {
    const { matchedKey } = await restoreCache(host, stores, { paths: spec.paths, key, restoreKeys: [], enableCrossOsArchive: false, lookupOnly: false });
    host.setOutput("cache-hit", String(matchedKey !== undefined));
    if (matchedKey) {
      host.saveState(STATE.matched, matchedKey);
      host.log(`Cache restored from key: ${matchedKey}`);
    } else host.log("Cache is not found");
  } catch (e) {
    host.warn(`Restore cache failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  host.addPost("success()");
  return true;
}

/** The post step: saves the folders unless the primary key was restored. */
export async function saveToolchainCache(host: StepHost, stores: RunStores): Promise<boolean> {
  const key = host.getState(STATE.key);
  if (!key) return true;
  if (key === host.getState(STATE.matched)) {
    host.log(`Cache hit occurred on the primary key ${key}, not saving cache.`);
    return true;
  }
  const paths = JSON.parse(host.getState(STATE.paths) || "[]") as string[];
  try {
    // The cache's version is over every path, as at the restore; nothing to save when none exists.
    const present: string[] = [];
    for (const p of paths) if ((await host.exec(["test", "-d", p], { quiet: true })).exitCode === 0) present.push(p);
    if (!present.length) {
      host.log(`Cache folder paths are not retrieved: ${paths.join(", ")} do not exist, not saving cache.`);
      return true;
    }
    const id = await saveCache(host, stores, { paths, key, enableCrossOsArchive: false });
    if (id !== -1) host.log(`Cache saved with the key: ${key}`);
  } catch (e) {
    host.warn(e instanceof Error ? e.message : String(e));
  }
  return true;
}
