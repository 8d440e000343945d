import { mkdtempSync, rmSync } from "node:fs";
import { readdir, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CacheStore } from "./cache-store.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function store(): CacheStore {
  const d = mkdtempSync(path.join(os.tmpdir(), "replay-cache-store-"));
  dirs.push(d);
  return new CacheStore(d);
}

const REPO = "octo/app";
const MAIN = "refs/heads/main";
const id = (key: string, o: { repository?: string; scope?: string; version?: string } = {}) => ({ repository: o.repository ?? REPO, key, version: o.version ?? "v", scope: o.scope ?? MAIN });

async function save(s: CacheStore, key: string, content: string, o: Parameters<typeof id>[1] = {}): Promise<void> {
  const r = await s.reserve(id(key, o));
  if (typeof r === "string") throw new Error(`not reserved: ${r}`);
  await writeFile(r.tempPath, content);
  await r.commit();
}

const query = (key: string, restoreKeys: string[] = []) => ({ key, restoreKeys, version: "v", scopes: [MAIN] });

describe("CacheStore", () => {
  it("keeps a saved entry for later replays, found by its key", async () => {
    const s = store();
    await save(s, "npm-abc", "archive");
    const again = new CacheStore(s.root);
    const m = await again.find(REPO, query("npm-abc"));
    expect(m?.exact).toBe(true);
    expect(m?.entry.sizeBytes).toBe(7);
  });

  it("never lets two saves of one key both in: the second is refused while the first runs, and after", async () => {
    const s = store();
    const first = await s.reserve(id("k"));
    expect(typeof first).toBe("object");
    expect(await s.reserve(id("k"))).toBe("reserved");
    if (typeof first === "string") return;
    await writeFile(first.tempPath, "one");
    await first.commit();
    expect(await s.reserve(id("k"))).toBe("exists");
  });

  it("of many saves of the same key at once, exactly one gets it", async () => {
    const s = store();
    const results = await Promise.all(Array.from({ length: 12 }, () => s.reserve(id("same"))));
    expect(results.filter((r) => typeof r !== "string")).toHaveLength(1);
  });

  it("an aborted save frees the key and leaves no file behind", async () => {
    const s = store();
    const r = await s.reserve(id("k"));
    if (typeof r === "string") throw new Error(r);
    await writeFile(r.tempPath, "partial");
    await r.abort();
    expect(await s.find(REPO, query("k"))).toBeUndefined();
    expect(await readdir(path.join(s.root, "tmp"))).toEqual([]);
    expect(typeof (await s.reserve(id("k")))).toBe("object");
  });

  it("takes over the reservation of a replay that died", async () => {
    const s = store();
    await s.reserve(id("k"));
    const lock = path.join(s.root, "reservations", CacheStore.entryId(id("k")));
    await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), at: new Date().toISOString() }));
    expect(typeof (await s.reserve(id("k")))).toBe("object");
  });

  it("an entry being written is invisible until committed", async () => {
    const s = store();
    const r = await s.reserve(id("k"));
    if (typeof r === "string") throw new Error(r);
    await writeFile(r.tempPath, "half");
    expect(await s.list()).toEqual([]);
    await r.commit();
    expect((await s.list()).map((e) => e.key)).toEqual(["k"]);
  });

  it("keeps repositories, scopes and versions apart", async () => {
    const s = store();
    await save(s, "k", "a", { repository: "other/repo" });
    await save(s, "k", "b", { scope: "refs/heads/feature" });
    await save(s, "k", "c", { version: "w" });
    expect(await s.find(REPO, query("k"))).toBeUndefined();
    expect((await s.list({ repository: REPO })).length).toBe(2);
  });

  it("prunes entries unused for too long, then the least recently used beyond the size", async () => {
    const s = store();
    await save(s, "old", "x".repeat(10));
    await save(s, "a", "x".repeat(100));
    await save(s, "b", "x".repeat(100));
    await save(s, "c", "x".repeat(100));
    const now = Date.now();
    const at = async (key: string, msAgo: number): Promise<void> => {
      const e = (await s.list()).find((x) => x.key === key);
      if (e) await utimes(e.archivePath, new Date(now - msAgo), new Date(now - msAgo));
    };
    await at("old", 8 * 86_400_000);
    await at("a", 3000);
    await at("b", 1000);
    await at("c", 2000);
    const removed = await s.prune({ unusedForMs: 7 * 86_400_000, maxBytesPerRepository: 250, now });
    expect(removed.map((e) => e.key).sort()).toEqual(["a", "old"]);
    expect((await s.list()).map((e) => e.key).sort()).toEqual(["b", "c"]);
  });

  it("a restore marks the entry as used", async () => {
    const s = store();
    await save(s, "k", "x");
    const e = (await s.list())[0];
    if (!e) throw new Error("no entry");
    await utimes(e.archivePath, new Date(0), new Date(0));
    await s.find(REPO, query("k"));
    expect((await s.list())[0]?.lastUsedAtMs).toBeGreaterThan(Date.now() - 60_000);
  });

  it("lives in REPLAY_CACHE_DIR, else the user's cache folder", () => {
    expect(CacheStore.defaultRoot({ REPLAY_CACHE_DIR: "/x/y" }, "/home/u")).toBe("/x/y");
    expect(CacheStore.defaultRoot({ XDG_CACHE_HOME: "/c" }, "/home/u")).toBe("/c/replay/caches");
    expect(CacheStore.defaultRoot({}, "/home/u")).toBe("/home/u/.cache/replay/caches");
  });
});
