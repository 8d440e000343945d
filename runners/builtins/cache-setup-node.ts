import path from "node:path";
import type { StepHost } from "../job/step-host.js";
import type { RunStores } from "../services/index.js";
import { restoreCache, saveCache } from "./cache-archive.js";

// setup-node@v4's `cache: npm | yarn | pnpm` (cache-restore.ts, cache-save.ts): the
// package manager's cache folder under the key node-cache-<os>-<arch>-<pm>-<lock hash>.

const LOCK_FILES: Record<string, string[]> = {
  npm: ["package-lock.json", "npm-shrinkwrap.json", "yarn.lock"],
  pnpm: ["pnpm-lock.yaml"],
  yarn: ["yarn.lock"],
};

const STATE = { pm: "CACHE_PM", paths: "CACHE_PATHS", primaryKey: "CACHE_KEY", matchedKey: "CACHE_RESULT" } as const;

class SetupNodeCacheError extends Error {}

/** Runs a command as setup-node's getCommandOutput does: its trimmed stdout, or its stderr as the error. */
async function commandOutput(host: StepHost, command: string, env: Record<string, string>, workdir: string | undefined): Promise<string> {
  const r = await host.exec(["bash", "-c", `${command} 2>"$0/stderr"`, host.paths.fileCommands], { quiet: true, env, ...(workdir ? { workdir } : {}) });
  if (r.exitCode !== 0) {
    const stderr = (await host.exec(["cat", `${host.paths.fileCommands}/stderr`], { quiet: true })).stdout.trim();
    throw new SetupNodeCacheError(stderr || `The '${command}' command failed with exit code: ${r.exitCode}`);
  }
  return r.stdout.trim();
}

async function cacheFolderCommand(host: StepHost, pm: string, env: Record<string, string>, workdir: string | undefined): Promise<string> {
  if (pm === "npm") return "npm config get cache";
  if (pm === "pnpm") return "pnpm store path --silent";
  const version = await commandOutput(host, "yarn --version", env, workdir);
  if (!version) throw new SetupNodeCacheError("Could not retrieve version of yarn");
  return version.startsWith("1.") ? "yarn cache dir" : "yarn config get cacheFolder";
}

/** `x64` / `arm64`, as os.arch() answers in the job. */
async function nodeArch(host: StepHost): Promise<string> {
  const m = (await host.exec(["uname", "-m"], { quiet: true })).stdout.trim();
  return m === "aarch64" || m === "arm64" ? "arm64" : m === "x86_64" || m === "" ? "x64" : m;
}

/**
 * The main part: restores the package manager's cache folder. `nodeBin` is the folder
 * of the node just set up (not on this step's PATH yet). Answers whether the step may go on.
 */
export async function restoreNodeCache(host: StepHost, stores: RunStores, pm: string, nodeBin: string | undefined): Promise<boolean> {
  if (!LOCK_FILES[pm]) {
    host.log(`##[error]Caching for '${pm}' is not supported`);
    return false;
  }
  const env = nodeBin ? { PATH: `${nodeBin}:${host.env["PATH"] ?? ""}` } : {};
  const dependencyPath = host.inputs["cache-dependency-path"]?.trim() ?? "";
  const projectDir = host.inputs["project-dir"]?.trim();
  const workdir = projectDir || (pm === "yarn" && dependencyPath ? path.posix.dirname(dependencyPath.split("\n")[0] ?? "") : undefined);
  const resolvedWorkdir = workdir ? path.posix.resolve(host.workspace, workdir) : undefined;
  try {
    const folder = await commandOutput(host, await cacheFolderCommand(host, pm, env, resolvedWorkdir), env, resolvedWorkdir);
    if (!folder) throw new SetupNodeCacheError(`Could not get cache folder path for ${pm}`);
    const cachePaths = [folder];
    host.saveState(STATE.pm, pm);
    host.saveState(STATE.paths, JSON.stringify(cachePaths));
    let lockPatterns: string[];
    if (dependencyPath) {
      lockPatterns = dependencyPath.split("\n").map((l) => l.trim()).filter(Boolean);
    } else {
      const ls = await host.exec(["ls", "-A", host.workspace], { quiet: true });
      const root = ls.stdout.split("\n").map((l) => l.trim());
      const lock = LOCK_FILES[pm]?.find((f) => root.includes(f));
      if (!lock) throw new SetupNodeCacheError(`Dependencies lock file is not found in ${host.workspace}. Supported file patterns: ${LOCK_FILES[pm]?.join(",") ?? ""}`);
      lockPatterns = [lock];
    }
    // The job's hashFiles(): '' before a checkout, as the action's own would find nothing.
    const fileHash = await (host.evalOptions().hashFiles ?? host.deps.hashFiles)(lockPatterns.map((p) => (path.posix.isAbsolute(p) ? path.posix.relative(host.workspace, p) : p)));
    if (!fileHash) throw new SetupNodeCacheError("Some specified paths were not resolved, unable to cache dependencies.");
    const primaryKey = `node-cache-${host.env["RUNNER_OS"] || "Linux"}-${await nodeArch(host)}-${pm}-${fileHash}`;
    host.saveState(STATE.primaryKey, primaryKey);
    const { matchedKey } = await restoreCache(host, stores, { paths: cachePaths, key: primaryKey, restoreKeys: [], enableCrossOsArchive: false, lookupOnly: false });
    host.setOutput("cache-hit", String(matchedKey !== undefined));
    if (!matchedKey) {
      host.log(`${pm} cache is not found`);
    } else {
      host.saveState(STATE.matchedKey, matchedKey);
      host.log(`Cache restored from key: ${matchedKey}`);
    }
    // action.yml: `post-if: success()`.
    host.addPost("success()");
    return true;
  } catch (e) {
    host.log(`##[error]${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
}

/** The post step: saves the folder unless the primary key was restored. */
export async function saveNodeCache(host: StepHost, stores: RunStores): Promise<boolean> {
  const pm = host.getState(STATE.pm);
  const primaryKey = host.getState(STATE.primaryKey);
  const cachePaths = JSON.parse(host.getState(STATE.paths) || "[]") as string[];
  if (!pm || !primaryKey) return true;
  if (host.inputs["cache-restore-only"] === "true") {
    host.log("Cache was not saved since 'cache-restore-only' was set to true");
    return true;
  }
  if (primaryKey === host.getState(STATE.matchedKey)) {
    host.log(`Cache hit occurred on the primary key ${primaryKey}, not saving cache.`);
    return true;
  }
  try {
    const id = await saveCache(host, stores, { paths: cachePaths, key: primaryKey, enableCrossOsArchive: false });
    if (id !== -1) host.log(`Cache saved with the key: ${primaryKey}`);
  } catch (e) {
    host.log(`##[warning]${e instanceof Error ? e.message : String(e)}`);
  }
  return true;
}
