import { randomUUID } from "node:crypto";
import { chmod, copyFile, link, mkdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CacheNotice } from "../events.js";
import type { StepHost } from "../job/step-host.js";
import { cacheFileName, cacheVersion, isExactKeyMatch } from "../services/index.js";
import type { CompressionMethod, RunStores } from "../services/index.js";

// What @actions/cache does in the job, done the same way by replay's built-ins: the
// paths resolved as its globber does, then `tar --posix -P -C $GITHUB_WORKSPACE` with
// zstd (or gzip without it) inside the job's container, so that an entry saved by the
// built-in is restored by the real action and the other way round.

/** Over this @actions/cache refuses to save (10 GB per repository on GitHub). */
const MAX_ARCHIVE_BYTES = 10 * 1024 * 1024 * 1024;

export class CacheValidationError extends Error {}

/** @actions/cache's checkKey, and its limit of 10 keys. */
export function validateKeys(keys: readonly string[]): void {
  if (keys.length > 10) throw new CacheValidationError("Key Validation Error: Keys are limited to a maximum of 10.");
  for (const key of keys) {
    if (key.length > 512) throw new CacheValidationError(`Key Validation Error: ${key} cannot be larger than 512 characters.`);
    if (key.includes(",")) throw new CacheValidationError(`Key Validation Error: ${key} cannot contain commas.`);
  }
}

/** zstd when the job's image has it (as @actions/cache decides), else gzip. */
export async function compressionMethod(host: StepHost): Promise<CompressionMethod> {
  const r = await host.exec(["sh", "-c", "zstd --quiet --version 2>/dev/null"], { quiet: true }).catch(() => ({ exitCode: 1, stdout: "" }));
  return r.exitCode === 0 && r.stdout.trim() !== "" ? "zstd-without-long" : "gzip";
}

// Globs as @actions/glob resolves them for @actions/cache (implicitDescendants off): `~`
// is $HOME, relative patterns start at the workspace, `**` crosses folders, dot files
// match, a trailing slash matches folders only, `!` lines exclude.
const RESOLVE_SCRIPT = `
shopt -s globstar nullglob dotglob
ws="$1"; shift
inc=(); exc=()
norm() { local p="$1"; if [[ $p == "~" || $p == "~/"* ]]; then p="$HOME\${p:1}"; fi; [[ $p == /* ]] || p="$ws/$p"; printf '%s' "$p"; }
for p in "$@"; do
  if [[ $p == "!"* ]]; then exc+=("$(norm "\${p:1}")"); else inc+=("$(norm "$p")"); fi
done
IFS=
for p in "\${inc[@]}"; do
  dirs=0; if [[ $p == */ ]]; then dirs=1; p="\${p%/}"; fi
  for f in $p; do
    [[ -e $f || -L $f ]] || continue
    if (( dirs )) && [[ ! -d $f ]]; then continue; fi
    f="\${f%/}"
    for x in "\${exc[@]}"; do x="\${x%/}"; if [[ $f == $x || $f == $x/* ]]; then continue 2; fi; done
    printf '%s\\0' "$f"
  done
done
`;

/** The paths to archive, relative to the workspace as @actions/cache writes them to its manifest. */
export async function resolveCachePaths(host: StepHost, patterns: readonly string[]): Promise<string[]> {
  const r = await host.exec(["bash", "-c", RESOLVE_SCRIPT, "resolve", host.workspace, ...patterns], { quiet: true });
  if (r.exitCode !== 0) throw new Error(`could not resolve the cache paths (exit code ${r.exitCode})`);
  const out: string[] = [];
  for (const abs of r.stdout.split("\0")) {
    const f = abs.replace(/\n$/, "");
    if (!f) continue;
    const rel = path.posix.relative(host.workspace, path.posix.normalize(f)) || ".";
    if (!out.includes(rel)) out.push(rel);
  }
  return out;
}

/** A folder of the job's file-command folder (bind-mounted), for one archive. */
async function exchangeDir(host: StepHost): Promise<{ host: string; container: string }> {
  const name = `cache-${randomUUID().slice(0, 8)}`;
  const dir = path.join(host.hostDir, name);
  await mkdir(dir, { recursive: true });
  // The job's user writes there from inside the container.
  await chmod(dir, 0o777);
  return { host: dir, container: `${host.paths.fileCommands}/${name}` };
}

function tarCompressArgs(method: CompressionMethod, mode: "create" | "extract"): string[] {
  if (method === "gzip") return ["-z"];
  return ["--use-compress-program", mode === "create" ? "zstdmt" : "unzstd"];
}

const mb = (bytes: number): number => Math.round(bytes / (1024 * 1024));

export function emitCacheNotice(host: StepHost, message: string, cache: Omit<CacheNotice, "step">): void {
  host.deps.emit({ type: "notice", level: "info", jobKey: host.cell.jobKey, message: `${host.cell.name}: ${message}`, cache: { ...cache, step: host.stepIndex } });
}

export interface RestoreResult {
  /** The key of the entry restored (or found, with lookupOnly); undefined on a miss. */
  matchedKey?: string;
  exact: boolean;
}

/** @actions/cache's restoreCache: finds the entry and extracts it into the workspace. */
export async function restoreCache(
  host: StepHost,
  stores: RunStores,
  o: { paths: string[]; key: string; restoreKeys: string[]; enableCrossOsArchive: boolean; lookupOnly: boolean },
): Promise<RestoreResult> {
  validateKeys([o.key, ...o.restoreKeys]);
  const method = await compressionMethod(host);
  const version = cacheVersion(o.paths, method, { enableCrossOsArchive: o.enableCrossOsArchive });
  const match = await stores.caches.find(stores.repository, { key: o.key, restoreKeys: o.restoreKeys, version, scopes: stores.scopes.restore });
  if (!match) {
    emitCacheNotice(host, `cache miss for ${o.key}`, { action: "restore", result: "miss", key: o.key });
    return { exact: false };
  }
  const matchedKey = match.entry.key;
  host.log(match.exact ? `Cache hit for: ${matchedKey}` : `Cache hit for restore-key: ${matchedKey}`);
  if (!o.lookupOnly) {
    const dir = await exchangeDir(host);
    const file = cacheFileName(method);
    try {
      // A hard link when the store and the job's folder share a file system: the entry can
      // be pruned meanwhile without this restore noticing.
      await link(match.entry.archivePath, path.join(dir.host, file)).catch(() => copyFile(match.entry.archivePath, path.join(dir.host, file)));
      const size = (await stat(path.join(dir.host, file))).size;
      host.log(`Cache Size: ~${mb(size)} MB (${size} B)`);
      const args = ["tar", "-xf", `${dir.container}/${file}`, "-P", "-C", host.workspace, ...tarCompressArgs(method, "extract")];
      host.log(`[command]/usr/bin/${args.join(" ")}`);
      await host.exec(["mkdir", "-p", host.workspace], { quiet: true });
      const r = await host.exec(args);
      if (r.exitCode !== 0) {
        host.log(`##[warning]Failed to restore: "/usr/bin/tar" failed with error: The process '/usr/bin/tar' failed with exit code ${r.exitCode}`);
        emitCacheNotice(host, `cache miss for ${o.key} (the archive did not extract)`, { action: "restore", result: "miss", key: o.key });
        return { exact: false };
      }
      host.log("Cache restored successfully");
    } finally {
      await rm(dir.host, { recursive: true, force: true });
    }
  } else {
    host.log("Lookup only - skipping download");
  }
  const exact = isExactKeyMatch(o.key, matchedKey);
  emitCacheNotice(host, exact ? `cache hit for ${o.key}` : `cache restored from ${matchedKey} for ${o.key}`, {
    action: "restore",
    result: exact ? "hit" : "partial",
    key: o.key,
    matchedKey,
  });
  return { matchedKey, exact };
}

/**
 * @actions/cache's saveCache: archives the paths in the container and stores the entry;
 * answers its id, or -1 when it was not saved (logged as the real action logs it).
 */
export async function saveCache(host: StepHost, stores: RunStores, o: { paths: string[]; key: string; enableCrossOsArchive: boolean }): Promise<number> {
  validateKeys([o.key]);
  const method = await compressionMethod(host);
  const cachePaths = await resolveCachePaths(host, o.paths);
  if (cachePaths.length === 0) {
    throw new Error("Path Validation Error: Path(s) specified in the action for caching do(es) not exist, hence no cache is being saved.");
  }
  const dir = await exchangeDir(host);
  const file = cacheFileName(method);
  try {
    await writeFile(path.join(dir.host, "manifest.txt"), cachePaths.join("\n"));
    const args = ["tar", "--posix", "-cf", file, "--exclude", file, "-P", "-C", host.workspace, "--files-from", "manifest.txt", ...tarCompressArgs(method, "create")];
    host.log(`[command]/usr/bin/${args.join(" ")}`);
    const r = await host.exec(args, { workdir: dir.container });
    if (r.exitCode !== 0) {
      host.log(`##[warning]Failed to save: "/usr/bin/tar" failed with error: The process '/usr/bin/tar' failed with exit code ${r.exitCode}`);
      return -1;
    }
    const archive = path.join(dir.host, file);
    const size = (await stat(archive)).size;
    if (size > MAX_ARCHIVE_BYTES) {
      host.log(`##[warning]Failed to save: Cache size of ~${mb(size)} MB (${size} B) is over the 10GB limit, not saving cache.`);
      return -1;
    }
    const version = cacheVersion(o.paths, method, { enableCrossOsArchive: o.enableCrossOsArchive });
    const reservation = await stores.caches.reserve({ repository: stores.repository, key: o.key, version, scope: stores.scopes.save });
    if (typeof reservation === "string") {
      host.log(`Failed to save: Unable to reserve cache with key ${o.key}, another job may be creating this cache.`);
      emitCacheNotice(host, `cache not saved for ${o.key}: ${reservation === "exists" ? "the key exists" : "another job is saving it"}`, { action: "save", result: "not-saved", key: o.key });
      return -1;
    }
    try {
      // A copy (the kernel's, a reflink where the file system has them), owned by the user.
      await copyFile(archive, reservation.tempPath);
      const entry = await reservation.commit();
      host.log(`Cache Size: ~${mb(size)} MB (${size} B)`);
      host.log("Cache saved successfully");
      emitCacheNotice(host, `cache saved for ${o.key} (${mb(size)} MB)`, { action: "save", result: "saved", key: o.key, sizeBytes: size });
      return parseInt(entry.id.slice(0, 12), 16);
    } catch (e) {
      await reservation.abort();
      throw e;
    }
  } finally {
    await rm(dir.host, { recursive: true, force: true });
  }
}
