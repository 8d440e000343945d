import { execFileSync } from "node:child_process";
import { createReadStream, readdirSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import type { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GIT_ENV, gitRepo } from "../tests/support/git-repo.js";
import type { GitRepo } from "../tests/support/git-repo.js";
import { withoutCredentials, writeWorkspaceTar } from "./workspace-snapshot.js";
import type { SnapshotSource } from "./workspace-snapshot.js";

interface Entry {
  name: string;
  type: string;
  mode: number;
  owner: string;
  size: number;
  linkname?: string;
  text?: string;
}

const BIG_BYTES = 5 * 1024 * 1024;

async function entries(file: string): Promise<Entry[]> {
  const out: Entry[] = [];
  const extract = tar.extract();
  extract.on("entry", (h: tar.Headers, stream: Readable, next: () => void) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      const body = Buffer.concat(chunks);
      out.push({
        name: h.name,
        type: h.type ?? "file",
        mode: (h.mode ?? 0) & 0o777,
        owner: `${h.uid}:${h.gid}:${h.uname}:${h.gname}`,
        size: body.length,
        ...(h.linkname ? { linkname: h.linkname } : {}),
        ...(h.type === "file" && body.length < 1000 ? { text: body.toString("utf8") } : {}),
      });
      next();
    });
  });
  await pipeline(createReadStream(file), extract);
  return out;
}

/** Every path under `dir`, depth first, each folder's names sorted. */
function walk(dir: string, name: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((e) => {
      const abs = path.join(dir, e);
      return statSync(abs).isDirectory() ? [`${name}/${e}/`, ...walk(abs, `${name}/${e}`)] : [`${name}/${e}`];
    });
}

describe("writeWorkspaceTar", () => {
  let repo: GitRepo;
  let out: string;
  const git = (...args: string[]): string => execFileSync("git", args, { cwd: repo.dir, env: { ...process.env, ...GIT_ENV }, encoding: "utf8" }).trim();
  const snapshot = async (source: SnapshotSource): Promise<Entry[]> => {
    await writeWorkspaceTar(out, { repoDir: repo.dir, source, prefix: "w/w", uid: 1001, gid: 1001, extraFiles: [{ path: "_temp/event.json", content: "{}\n" }] });
    return entries(out);
  };

  beforeEach(() => {
    repo = gitRepo("ws", {
      "a.txt": "committed\n",
      "bin/run.sh": { text: "#!/bin/sh\necho run\n", mode: 0o755 },
      "src/deep/x.ts": "export {};\n",
      "gone.txt": "deleted in the working tree\n",
      "big.bin": "b".repeat(BIG_BYTES),
    });
    symlinkSync("a.txt", path.join(repo.dir, "link"));
    git("add", "link");
    git("commit", "-q", "-m", "link");
    writeFileSync(path.join(repo.dir, "a.txt"), "changed\n");
    writeFileSync(path.join(repo.dir, "untracked.txt"), "not in git\n");
    unlinkSync(path.join(repo.dir, "gone.txt"));
    out = path.join(path.dirname(repo.dir), "workspace.tar");
  });
  afterEach(() => repo.dispose());

  it("holds the working tree's tracked files as they are now, and all of .git, owned by the runner", async () => {
    const list = await snapshot("worktree");
    const byName = new Map(list.map((e) => [e.name, e]));
    expect(byName.get("w/w/a.txt")).toMatchObject({ type: "file", text: "changed\n", mode: 0o644 });
    expect(byName.get("w/w/bin/run.sh")).toMatchObject({ type: "file", mode: 0o755 });
    expect(byName.get("w/w/link")).toMatchObject({ type: "symlink", linkname: "a.txt" });
    expect(byName.get("w/w/big.bin")).toMatchObject({ type: "file", size: BIG_BYTES });
    expect(byName.get("_temp/event.json")).toMatchObject({ text: "{}\n" });
    expect(byName.has("w/w/gone.txt")).toBe(false);
    expect(byName.has("w/w/untracked.txt")).toBe(false);
    // .git goes in whole, in the order a depth-first walk of it gives.
    const gitEntries = list.filter((e) => e.name.startsWith("w/w/.git/")).map((e) => e.name);
    expect(gitEntries).toEqual(["w/w/.git/", ...walk(path.join(repo.dir, ".git"), "w/w/.git")]);
    expect(new Set(list.map((e) => e.owner))).toEqual(new Set(["1001:1001:runner:runner"]));
  });

  it("names every entry once, each after the folder holding it", async () => {
    const list = await snapshot("worktree");
    const names = list.map((e) => e.name.replace(/\/$/, ""));
    expect(new Set(names).size).toBe(names.length);
    names.forEach((name, i) => {
      const parent = path.posix.dirname(name);
      if (parent !== ".") expect(names.slice(0, i)).toContain(parent);
    });
    expect(list.slice(0, 3).map((e) => e.name)).toEqual(["w/", "w/w/", "w/w/a.txt"]);
  });

  it("marks the history at depth 1 when asked (checkout's default clone), unless it cannot be", async () => {
    const depthOne = async (source: SnapshotSource): Promise<Map<string, string | undefined>> => {
      await writeWorkspaceTar(out, { repoDir: repo.dir, source, prefix: "w/w", uid: 1001, gid: 1001, depthOne: true });
      return new Map((await entries(out)).filter((e) => /\/\.git\/(replay-)?shallow$/.test(e.name)).map((e) => [e.name, e.text]));
    };
    const head = git("rev-parse", "HEAD");
    expect(await depthOne("worktree")).toEqual(new Map([["w/w/.git/shallow", `${head}\n`], ["w/w/.git/replay-shallow", ""]]));
    // A commit source: that commit's parents hidden, whatever HEAD is.
    const first = git("rev-parse", "HEAD~1");
    git("commit", "-q", "--allow-empty", "-m", "later");
    expect((await depthOne({ commit: head })).get("w/w/.git/shallow")).toBe(`${head}\n`);
    // A first commit has no parent to hide; a shallow repository keeps its own marks.
    expect(await depthOne({ commit: first })).toEqual(new Map());
    writeFileSync(path.join(repo.dir, ".git", "shallow"), `${first}\n`);
    expect(await depthOne("worktree")).toEqual(new Map([["w/w/.git/shallow", `${first}\n`]]));
  });

  it("leaves out the tags at depth 1 (checkout fetches with --no-tags) but the one a tag's run checks out", async () => {
    const tags = async (source: SnapshotSource): Promise<string[]> => {
      await writeWorkspaceTar(out, { repoDir: repo.dir, source, prefix: "w/w", uid: 1001, gid: 1001, depthOne: true });
      const list = await entries(out);
      const packed = list.find((e) => e.name === "w/w/.git/packed-refs")?.text ?? "";
      return [...list.filter((e) => e.name.startsWith("w/w/.git/refs/tags/") && e.type === "file").map((e) => e.name), ...packed.split("\n").filter((l) => l.includes("refs/tags/") || l.startsWith("^"))];
    };
    const head = git("rev-parse", "HEAD");
    git("tag", "-a", "-m", "packed", "v1", "HEAD~1");
    git("pack-refs", "--all");
    git("tag", "v2");
    expect(await tags("worktree")).toEqual([]);
    expect(await tags({ commit: head, ref: "refs/tags/v2" })).toEqual(["w/w/.git/refs/tags/v2"]);
    git("checkout", "-q", "--detach", "v2");
    expect(await tags("HEAD")).toEqual(["w/w/.git/refs/tags/v2"]);
    // Your clone keeps its tags.
    expect(git("tag").split("\n")).toEqual(["v1", "v2"]);
  });

  it("holds exactly a commit, with .git's HEAD on its branch, for a commit source", async () => {
    const sha = git("rev-parse", "HEAD");
    const byName = new Map((await snapshot({ commit: sha, ref: "refs/heads/feature" })).map((e) => [e.name, e]));
    expect(byName.get("w/w/a.txt")).toMatchObject({ text: "committed\n" });
    expect(byName.get("w/w/gone.txt")).toMatchObject({ text: "deleted in the working tree\n" });
    expect(byName.get("w/w/.git/HEAD")).toMatchObject({ text: "ref: refs/heads/feature\n" });
    expect(byName.get("w/w/.git/refs/heads/feature")).toMatchObject({ text: `${sha}\n` });
  });
});

describe("withoutCredentials", () => {
  it.each([
    ['[remote "origin"]\n\turl = https://ghp_abc@github.com/o/r.git', '[remote "origin"]\n\turl = https://github.com/o/r.git'],
    ["\turl = https://user:pw@example.com/r", "\turl = https://example.com/r"],
    ["\tpushurl = ssh://git:pw@example.com/r", "\tpushurl = ssh://example.com/r"],
    // An ssh user name is no credential.
    ["\turl = ssh://git@github.com/o/r.git", "\turl = ssh://git@github.com/o/r.git"],
    ["\turl = git@github.com:o/r.git", "\turl = git@github.com:o/r.git"],
    ['[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic xyz\n[core]', '[http "https://github.com/"]\n[core]'],
    ['[url "https://x-access-token:tok@github.com/"]\n\tinsteadOf = https://github.com/', '[url "https://github.com/"]\n\tinsteadOf = https://github.com/'],
  ])("%j becomes %j", (config, want) => {
    expect(withoutCredentials(config)).toBe(want);
  });
});
