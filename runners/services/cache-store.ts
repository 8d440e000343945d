import { randomUUID, createHash } from "node:crypto";
import { mkdir, open, readFile, readdir, rename, rm, stat, unlink, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { matchCacheEntry } from "./cache-matching.js";
import type { CacheMatch, CacheQuery, MatchableEntry } from "./cache-matching.js";

// The store is shared by every replay on the machine (parallel matrix cells, several
// replays at once), so nothing in it is ever written in place: an archive is written to
// tmp/ and renamed in, then its entry file (the commit point) is written to tmp/ and
// renamed in. A reader sees a whole entry or none. Saving a key is reserved with an
// O_EXCL file, so two cells saving the same key at once store it once.

export interface CacheEntry extends MatchableEntry {
  id: string;
  /** The repository the entry belongs to: caches are never shared between repositories. */
  repository: string;
  sizeBytes: number;
  lastUsedAtMs: number;
  archivePath: string;
}

interface EntryFile {
  repository: string;
  key: string;
  version: string;
  scope: string;
  sizeBytes: number;
  createdAt: string;
  archive: string;
}

export interface EntryIdentity {
  repository: string;
  key: string;
  version: string;
  scope: string;
}

/** Why a save could not reserve its entry. */
export type ReserveRefusal = "exists" | "reserved";

/** A reservation older than this is a leftover of a killed replay on another host. */
const RESERVATION_STALE_MS = 24 * 60 * 60 * 1000;
/** Temp files older than this belong to no running replay. */
const TEMP_STALE_MS = 24 * 60 * 60 * 1000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const missing = (e: unknown): boolean => (e as NodeJS.ErrnoException).code === "ENOENT";

export class CacheStore {
  constructor(readonly root: string) {}

  /** REPLAY_CACHE_DIR, else $XDG_CACHE_HOME/replay/caches, else ~/.cache/replay/caches. */
  static defaultRoot(env: Readonly<Record<string, string | undefined>> = process.env, home: string = os.homedir()): string {
    if (env["REPLAY_CACHE_DIR"]) return path.resolve(env["REPLAY_CACHE_DIR"]);
    const base = env["XDG_CACHE_HOME"] ? path.resolve(env["XDG_CACHE_HOME"]) : path.join(home, ".cache");
    return path.join(base, "replay", "caches");
  }

  private dir(kind: "entries" | "archives" | "reservations" | "tmp"): string {
    return path.join(this.root, kind);
  }

  static entryId(i: EntryIdentity): string {
    return createHash("sha256").update([i.repository, i.scope, i.key, i.version].join("\0")).digest("hex").slice(0, 40);
  }

  private async ensureDirs(): Promise<void> {
    await Promise.all((["entries", "archives", "reservations", "tmp"] as const).map((d) => mkdir(this.dir(d), { recursive: true })));
  }

  private async readEntry(id: string): Promise<CacheEntry | undefined> {
    let file: EntryFile;
    try {
      file = JSON.parse(await readFile(path.join(this.dir("entries"), `${id}.json`), "utf8")) as EntryFile;
    } catch {
      return undefined;
    }
    const archivePath = path.join(this.dir("archives"), path.basename(file.archive));
    const st = await stat(archivePath).catch(() => undefined);
    if (!st) return undefined;
    return {
      id,
      repository: file.repository,
      key: file.key,
      version: file.version,
      scope: file.scope,
      sizeBytes: file.sizeBytes,
      createdAtMs: Date.parse(file.createdAt),
      lastUsedAtMs: st.mtimeMs,
      archivePath,
    };
  }

  /** Every complete entry, of one repository or of all. */
  async list(o: { repository?: string } = {}): Promise<CacheEntry[]> {
    const names = await readdir(this.dir("entries")).catch(() => [] as string[]);
    const entries = await Promise.all(names.filter((n) => n.endsWith(".json")).map((n) => this.readEntry(n.slice(0, -5))));
    return entries.filter((e): e is CacheEntry => e !== undefined && (o.repository === undefined || e.repository === o.repository));
  }

  async get(i: EntryIdentity): Promise<CacheEntry | undefined> {
    return this.readEntry(CacheStore.entryId(i));
  }

  /** The entry a restore gets, marked as used now (for prune's least-recently-used order). */
  async find(repository: string, q: CacheQuery): Promise<CacheMatch<CacheEntry> | undefined> {
    const match = matchCacheEntry(await this.list({ repository }), q);
    if (match) {
      const now = new Date();
      await utimes(match.entry.archivePath, now, now).catch(() => undefined);
    }
    return match;
  }

  /** Reserves an entry for a save; refused when it exists or another save holds it. */
  async reserve(i: EntryIdentity): Promise<CacheReservation | ReserveRefusal> {
    await this.ensureDirs();
    const id = CacheStore.entryId(i);
    if (await this.readEntry(id)) return "exists";
    const lock = path.join(this.dir("reservations"), id);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(lock, "wx");
        await fh.writeFile(JSON.stringify({ pid: process.pid, host: os.hostname(), at: new Date().toISOString() }));
        await fh.close();
        // A save that committed between the check above and the lock is still a refusal.
        if (await this.readEntry(id)) {
          await unlink(lock).catch(() => undefined);
          return "exists";
        }
        return new CacheReservation(this, id, i, lock, path.join(this.dir("tmp"), `${id}.${randomUUID()}`));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        if (!(await this.isStale(lock))) return "reserved";
        await unlink(lock).catch(() => undefined);
      }
    }
    return "reserved";
  }

  private async isStale(lock: string): Promise<boolean> {
    try {
      const holder = JSON.parse(await readFile(lock, "utf8")) as { pid?: number; host?: string; at?: string };
      if (holder.host === os.hostname() && typeof holder.pid === "number") return !isAlive(holder.pid);
      return Date.now() - Date.parse(holder.at ?? "") > RESERVATION_STALE_MS;
    } catch (e) {
      // Gone (released meanwhile): not stale, just retry. Unreadable: a writer between
      // open and write, so in use.
      return missing(e);
    }
  }

  /** @internal Called by a reservation: the archive, then the entry file, each renamed in. */
  async commit(r: CacheReservation): Promise<CacheEntry> {
    const st = await stat(r.tempPath);
    const archive = `${r.id}.${randomUUID().slice(0, 8)}`;
    await rename(r.tempPath, path.join(this.dir("archives"), archive));
    const file: EntryFile = { ...r.identity, sizeBytes: st.size, createdAt: new Date().toISOString(), archive };
    const tmp = path.join(this.dir("tmp"), `${r.id}.${randomUUID()}.json`);
    await writeFile(tmp, JSON.stringify(file, null, 2));
    await rename(tmp, path.join(this.dir("entries"), `${r.id}.json`));
    await unlink(r.lockPath).catch(() => undefined);
    const entry = await this.readEntry(r.id);
    if (!entry) throw new Error(`the cache entry ${r.identity.key} vanished right after it was saved`);
    return entry;
  }

  /** Removes an entry: its entry file first, so no restore starts on a half-removed one. */
  async remove(entry: CacheEntry): Promise<void> {
    await unlink(path.join(this.dir("entries"), `${entry.id}.json`)).catch(() => undefined);
    await unlink(entry.archivePath).catch(() => undefined);
  }

  /**
   * Removes entries not used for longer than `unusedForMs`, then the least recently used
   * of each repository until it holds at most `maxBytesPerRepository` (GitHub evicts the
   * same way: after 7 days without use, and beyond 10 GB per repository).
   */
  async prune(o: { unusedForMs?: number; maxBytesPerRepository?: number; now?: number }): Promise<CacheEntry[]> {
    const now = o.now ?? Date.now();
    const removed: CacheEntry[] = [];
    const kept: CacheEntry[] = [];
    for (const e of await this.list()) {
      if (o.unusedForMs !== undefined && now - e.lastUsedAtMs > o.unusedForMs) removed.push(e);
      else kept.push(e);
    }
    if (o.maxBytesPerRepository !== undefined) {
      const byRepo = new Map<string, CacheEntry[]>();
      for (const e of kept) byRepo.set(e.repository, [...(byRepo.get(e.repository) ?? []), e]);
      for (const entries of byRepo.values()) {
        let total = entries.reduce((n, e) => n + e.sizeBytes, 0);
        for (const e of [...entries].sort((a, b) => a.lastUsedAtMs - b.lastUsedAtMs)) {
          if (total <= o.maxBytesPerRepository) break;
          removed.push(e);
          total -= e.sizeBytes;
        }
      }
    }
    for (const e of removed) await this.remove(e);
    await this.removeStaleTemps(now);
    return removed;
  }

  private async removeStaleTemps(now: number): Promise<void> {
    const tmp = this.dir("tmp");
    for (const name of await readdir(tmp).catch(() => [] as string[])) {
      const st = await stat(path.join(tmp, name)).catch(() => undefined);
      if (st && now - st.mtimeMs > TEMP_STALE_MS) await rm(path.join(tmp, name), { force: true, recursive: true });
    }
  }
}

/** A save in progress: write the archive at `tempPath`, then commit or abort. */
export class CacheReservation {
  constructor(
    private readonly store: CacheStore,
    readonly id: string,
    readonly identity: EntryIdentity,
    readonly lockPath: string,
    readonly tempPath: string,
  ) {}

  commit(): Promise<CacheEntry> {
    return this.store.commit(this);
  }

  async abort(): Promise<void> {
    await rm(this.tempPath, { force: true });
    await unlink(this.lockPath).catch(() => undefined);
  }
}
