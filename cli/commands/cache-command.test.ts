import { mkdtempSync, rmSync } from "node:fs";
import { utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { UsageError } from "../../common/index.js";
import { CacheStore } from "../../runners/services/index.js";
import { cacheLs, cachePrune, cacheRm, formatSize, parseAge, parseSize } from "./cache-command.js";

describe("sizes and ages", () => {
  it.each<[string, number]>([
    ["4096", 4096],
    ["500MB", 500 * 1024 ** 2],
    ["10GB", 10 * 1024 ** 3],
    ["1.5g", 1.5 * 1024 ** 3],
    ["100 kb", 102400],
  ])("size %s = %d", (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each<[string, number]>([
    ["7d", 7 * 86_400_000],
    ["12h", 12 * 3_600_000],
    ["30m", 1_800_000],
    ["2w", 14 * 86_400_000],
    ["3", 3 * 86_400_000],
  ])("age %s = %d ms", (text, ms) => expect(parseAge(text)).toBe(ms));

  it.each(["ten", "5 parsecs", "-1d"])("refuses %s", (text) => {
    expect(() => parseSize(text)).toThrow(UsageError);
    expect(() => parseAge(text)).toThrow(UsageError);
  });

  it.each<[number, string]>([
    [512, "512 B"],
    [1536, "1.5 KB"],
    [200 * 1024 ** 2, "200 MB"],
  ])("%d bytes read %s", (bytes, text) => expect(formatSize(bytes)).toBe(text));
});

describe("replay cache ls|rm|prune", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function setup(): Promise<{ store: CacheStore; out: () => string; io: { out: PassThrough; store: CacheStore } }> {
    const d = mkdtempSync(path.join(os.tmpdir(), "replay-cache-cmd-"));
    dirs.push(d);
    const store = new CacheStore(d);
    for (const [repository, key, size] of [
      ["octo/app", "Linux-npm-1", 10],
      ["octo/app", "Linux-npm-2", 20],
      ["octo/app", "Linux-build-x", 30],
      ["other/repo", "Linux-npm-1", 40],
    ] as const) {
      const r = await store.reserve({ repository, key, version: "v", scope: "refs/heads/main" });
      if (typeof r === "string") throw new Error(r);
      await writeFile(r.tempPath, "x".repeat(size));
      await r.commit();
    }
    const sink = new PassThrough();
    let text = "";
    sink.on("data", (c: Buffer) => (text += c.toString()));
    return { store, out: () => text, io: { out: sink, store } };
  }

  it("ls lists every repository's entries outside a repository, with their sizes", async () => {
    const { io, out } = await setup();
    await cacheLs({ dir: os.tmpdir(), allRepos: true, json: false, key: "Linux-npm-" }, io);
    expect(out()).toContain("Linux-npm-2");
    expect(out()).toContain("other/repo");
    expect(out()).not.toContain("Linux-build-x");
    expect(out()).toMatch(/3 entries, 70 B/);
  });

  it("ls --json gives keys, scopes, sizes and times", async () => {
    const { io, out } = await setup();
    await cacheLs({ dir: os.tmpdir(), allRepos: true, json: true }, io);
    const doc = JSON.parse(out()) as { entries: { key: string; sizeBytes: number; scope: string }[] };
    expect(doc.entries).toHaveLength(4);
    expect(doc.entries[0]).toMatchObject({ scope: "refs/heads/main" });
  });

  it("rm wants a prefix or --all, in a repository", async () => {
    const { io } = await setup();
    await expect(cacheRm({ dir: os.tmpdir(), all: false }, io)).rejects.toThrow(UsageError);
    await expect(cacheRm({ dir: os.tmpdir(), all: false, prefix: "Linux-" }, io)).rejects.toThrow(/not inside a git repository/);
  });

  it("prune removes what was not used for longer than asked, and keeps each repository under the size", async () => {
    const { store, io, out } = await setup();
    const now = Date.now();
    for (const e of await store.list()) {
      const ago = e.key === "Linux-npm-1" && e.repository === "octo/app" ? 10 * 86_400_000 : e.key === "Linux-npm-2" ? 2000 : 1000;
      await utimes(e.archivePath, new Date(now - ago), new Date(now - ago));
    }
    await cachePrune({ olderThan: "7d", maxSize: "40" }, { ...io, now });
    expect(out()).toMatch(/removed 2 cache entries \(30 B\)/);
    expect((await store.list()).map((e) => `${e.repository} ${e.key}`).sort()).toEqual(["octo/app Linux-build-x", "other/repo Linux-npm-1"]);
  });
});
