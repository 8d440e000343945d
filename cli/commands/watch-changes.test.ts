import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { gitIgnored, watchTree } from "./watch-changes.js";
import type { TreeWatcher } from "./watch-changes.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "replay-watch-tree-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  execFileSync("git", ["init", "-q", "-b", "main"], { cwd: dir });
  return dir;
}

async function watching(dir: string): Promise<{ batches: string[][]; watcher: TreeWatcher }> {
  const batches: string[][] = [];
  const watcher = await watchTree({ dir, onChange: (files) => batches.push(files), debounceMs: 150 });
  cleanups.push(() => watcher.close());
  await watcher.ready;
  return { batches, watcher };
}

const until = async (ok: () => boolean): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};

describe("the working tree's changes", () => {
  it("git decides what is ignored: nested .gitignore files, negations; tracked files never are", async () => {
    const dir = repo({ ".gitignore": "*.log\n!keep.log\n", "sub/.gitignore": "out/\n" });
    expect([...(await gitIgnored(dir, ["a.log", "keep.log", "sub/out/x.js", "sub/x.js", "src/a.ts"]))].sort()).toEqual(["a.log", "sub/out/x.js"]);
    expect(await gitIgnored(dir, [])).toEqual(new Set());
  });

  it("a burst of changes is one batch, sorted, without what git ignores, .git/ or .replay/", async () => {
    const dir = repo({ ".gitignore": "dist/\n*.tmp\n", "src/a.ts": "a", "dist/old.js": "" });
    const { batches } = await watching(dir);
    writeFileSync(path.join(dir, "src/b.ts"), "b");
    writeFileSync(path.join(dir, "src/a.ts"), "a2");
    writeFileSync(path.join(dir, "x.tmp"), "");
    writeFileSync(path.join(dir, "dist/new.js"), "");
    mkdirSync(path.join(dir, ".replay/runs/1"), { recursive: true });
    writeFileSync(path.join(dir, ".replay/runs/1/meta.json"), "{}");
    await until(() => batches.length > 0);
    await new Promise((r) => setTimeout(r, 400));
    expect(batches).toEqual([["src/a.ts", "src/b.ts"]]);
  });

  it("only ignored changes hand on nothing", async () => {
    const dir = repo({ ".gitignore": "build/\n", "a.txt": "" });
    const { batches } = await watching(dir);
    mkdirSync(path.join(dir, "build"));
    writeFileSync(path.join(dir, "build/out.js"), "");
    await new Promise((r) => setTimeout(r, 800));
    expect(batches).toEqual([]);
  });
});
