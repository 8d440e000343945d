import { ReplayError, UsageError } from "../../common/index.js";
import { readRepoInfo } from "../../runners/index.js";
import { CacheStore, repositoryIdentity } from "../../runners/services/index.js";
import type { CacheEntry } from "../../runners/services/index.js";

// `replay cache ls|rm|prune`: the cache entries replays saved on this machine, the same
// store `actions/cache` and setup-node's `cache:` restore from.

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };
const AGES: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `500MB`, `10GB`, `1g`, `4096`: bytes (binary units, as GitHub counts its 10 GB). */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = UNITS[(m?.[2] ?? "").toLowerCase()];
  if (!m || unit === undefined) throw new UsageError(`'${text}' is not a size`, "write it like 500MB, 10GB or 4096 (bytes)");
  return Math.round(Number(m[1]) * unit);
}

/** `7d`, `12h`, `30m`, `2w`, or a number of days: milliseconds. */
export function parseAge(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$/i.exec(text);
  if (!m) throw new UsageError(`'${text}' is not an age`, "write it like 7d, 12h, 30m or 2w");
  return Math.round(Number(m[1]) * (AGES[(m[2] || "d").toLowerCase()] ?? AGES["d"] ?? 0));
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i] ?? ""}`;
}

export function formatAge(ms: number): string {
  if (ms < 60_000) return "just now";
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ago`;
  return `${Math.floor(ms / 86_400_000)} d ago`;
}

/** The repository `dir` is in, as the store names it; undefined outside a repository. */
async function currentRepository(dir: string): Promise<string | undefined> {
  try {
    return repositoryIdentity(await readRepoInfo(dir));
  } catch (e) {
    if (e instanceof ReplayError) return undefined;
    throw e;
  }
}

interface Out {
  out: NodeJS.WritableStream;
  store?: CacheStore;
  now?: number;
}

export interface CacheLsOptions {
  dir: string;
  key?: string;
  allRepos: boolean;
  json: boolean;
}

export async function cacheLs(o: CacheLsOptions, io: Out = { out: process.stdout }): Promise<number> {
  const store = io.store ?? new CacheStore(CacheStore.defaultRoot());
  const now = io.now ?? Date.now();
  const repository = o.allRepos ? undefined : await currentRepository(o.dir);
  const entries = (await store.list(repository === undefined ? {} : { repository }))
    .filter((e) => o.key === undefined || e.key.startsWith(o.key))
    .sort((a, b) => b.lastUsedAtMs - a.lastUsedAtMs);
  if (o.json) {
    const rows = entries.map((e) => ({
      key: e.key,
      version: e.version,
      scope: e.scope,
      repository: e.repository,
      sizeBytes: e.sizeBytes,
      createdAt: new Date(e.createdAtMs).toISOString(),
      lastUsedAt: new Date(e.lastUsedAtMs).toISOString(),
    }));
    io.out.write(`${JSON.stringify({ store: store.root, entries: rows }, null, 2)}\n`);
    return 0;
  }
  if (entries.length === 0) {
    io.out.write(`no cache entries${repository === undefined ? "" : " for this repository"}${o.key === undefined ? "" : ` with keys starting '${o.key}'`} in ${store.root}\n`);
    return 0;
  }
  const rows = entries.map((e) => [e.key, e.scope, formatSize(e.sizeBytes), formatAge(now - e.createdAtMs), formatAge(now - e.lastUsedAtMs), ...(repository === undefined ? [e.repository] : [])]);
  const head = ["Key", "Scope", "Size", "Created", "Last used", ...(repository === undefined ? ["Repository"] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  io.out.write(`${fmt(head)}\n`);
  for (const r of rows) io.out.write(`${fmt(r)}\n`);
  const total = entries.reduce((n, e) => n + e.sizeBytes, 0);
  io.out.write(`\n${entries.length} entr${entries.length === 1 ? "y" : "ies"}, ${formatSize(total)}, in ${store.root}\n`);
  return 0;
}

export interface CacheRmOptions {
  dir: string;
  prefix?: string;
  all: boolean;
}

export async function cacheRm(o: CacheRmOptions, io: Out = { out: process.stdout }): Promise<number> {
  if (o.prefix === undefined && !o.all) throw new UsageError("say which entries to remove: a key prefix, or --all", "replay cache rm Linux-build-  (or --all for every entry of this repository)");
  const repository = await currentRepository(o.dir);
  if (repository === undefined) throw new UsageError(`${o.dir} is not inside a git repository`, "run it in the repository whose caches to remove, or use `replay cache prune`");
  const store = io.store ?? new CacheStore(CacheStore.defaultRoot());
  const gone: CacheEntry[] = (await store.list({ repository })).filter((e) => o.prefix === undefined || e.key.startsWith(o.prefix));
  for (const e of gone) await store.remove(e);
  io.out.write(`removed ${gone.length} cache entr${gone.length === 1 ? "y" : "ies"} (${formatSize(gone.reduce((n, e) => n + e.sizeBytes, 0))})\n`);
  return 0;
}

export interface CachePruneOptions {
  olderThan?: string;
  maxSize?: string;
}

/** GitHub's policy by default: unused for 7 days, or beyond 10 GB per repository. */
export async function cachePrune(o: CachePruneOptions, io: Out = { out: process.stdout }): Promise<number> {
  const store = io.store ?? new CacheStore(CacheStore.defaultRoot());
  const removed = await store.prune({
    unusedForMs: parseAge(o.olderThan ?? "7d"),
    maxBytesPerRepository: parseSize(o.maxSize ?? "10GB"),
    ...(io.now === undefined ? {} : { now: io.now }),
  });
  io.out.write(`removed ${removed.length} cache entr${removed.length === 1 ? "y" : "ies"} (${formatSize(removed.reduce((n, e) => n + e.sizeBytes, 0))})\n`);
  return 0;
}
