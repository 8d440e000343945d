// Against real repositories: a bare remote and a clone, pushed to and fetched from.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZERO_SHA } from "./pre-push-input.js";
import { pushTargets } from "./push-targets.js";

const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" };
let root: string;
let dir: string;
const git = (...args: string[]): string => execFileSync("git", args, { cwd: dir, env, encoding: "utf8" }).trim();
const commit = (files: Record<string, string>, message: string): string => {
  for (const [f, c] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), c);
  }
  git("add", "-A");
  git("commit", "-qm", message);
  return git("rev-parse", "HEAD");
};

let first: string;
let onRemote: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "replay-push-targets-"));
  execFileSync("git", ["init", "-q", "--bare", path.join(root, "remote.git")]);
  dir = path.join(root, "work");
  mkdirSync(dir);
  git("init", "-q", "-b", "main");
  first = commit({ "README.md": "hi\n", "src/a.ts": "a\n" }, "first");
  onRemote = commit({ "src/b.ts": "b\n" }, "second");
  git("remote", "add", "origin", path.join(root, "remote.git"));
  git("push", "-q", "origin", "main");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const line = (remoteRef: string, localSha: string, remoteSha: string): { localRef: string; localSha: string; remoteRef: string; remoteSha: string } => ({
  localRef: remoteRef,
  localSha,
  remoteRef,
  remoteSha,
});

describe("pushTargets", () => {
  it("an existing branch: the files changed since the remote's commit (two dots), renames on both sides", async () => {
    git("checkout", "-q", "-b", "existing", onRemote);
    git("mv", "src/a.ts", "src/renamed.ts");
    const sha = commit({ "docs/x.md": "x\n" }, "third");
    const [t] = await pushTargets(dir, "origin", [line("refs/heads/main", sha, onRemote)]);
    expect(t).toMatchObject({ kind: "branch", name: "main", sha, before: onRemote, changedFiles: ["docs/x.md", "src/a.ts", "src/renamed.ts"] });
  });

  it("a new branch: compared with the parent of the oldest commit the remote does not have", async () => {
    git("checkout", "-q", "-b", "feature", onRemote);
    commit({ "src/c.ts": "c\n" }, "f1");
    const sha = commit({ "src/d.ts": "d\n" }, "f2");
    const [t] = await pushTargets(dir, "origin", [line("refs/heads/feature", sha, ZERO_SHA)]);
    expect(t).toMatchObject({ kind: "branch", before: ZERO_SHA, changedFiles: ["src/c.ts", "src/d.ts"] });
    expect(t && "comparedWith" in t ? t.comparedWith : "").toContain(`compared with ${onRemote.slice(0, 7)}, the parent of the oldest commit origin does not have`);
  });

  it("a new branch at a commit the remote has: nothing changed", async () => {
    const [t] = await pushTargets(dir, "origin", [line("refs/heads/copy", onRemote, ZERO_SHA)]);
    expect(t).toMatchObject({ kind: "branch", changedFiles: [] });
  });

  it("a new branch to a remote without tracking refs (a URL): every file of the commit", async () => {
    const [t] = await pushTargets(dir, undefined, [line("refs/heads/feature", onRemote, ZERO_SHA)]);
    expect(t).toMatchObject({ kind: "branch", changedFiles: ["README.md", "src/a.ts", "src/b.ts"], comparedWith: "all new: no remote-tracking refs" });
  });

  it("a remote commit this clone does not have: falls back to the new-branch comparison", async () => {
    git("checkout", "-q", "-b", "behind", onRemote);
    const sha = commit({ "src/e.ts": "e\n" }, "e");
    const [t] = await pushTargets(dir, "origin", [line("refs/heads/main", sha, "1".repeat(40))]);
    expect(t).toMatchObject({ kind: "branch", before: "1".repeat(40), changedFiles: ["src/e.ts"] });
    expect(t && "comparedWith" in t ? t.comparedWith : "").toContain("is not in this clone");
  });

  it("deletions and refs that are neither branches nor tags start nothing", async () => {
    const targets = await pushTargets(dir, "origin", [line("refs/heads/old", ZERO_SHA, onRemote), line("refs/notes/commits", onRemote, ZERO_SHA)]);
    expect(targets).toEqual([
      { kind: "ignored", ref: "refs/heads/old", why: expect.stringContaining("deleting") },
      { kind: "ignored", ref: "refs/notes/commits", why: expect.stringContaining("neither a branch nor a tag") },
    ]);
  });

  it("a tag: its commit (an annotated tag peeled), no path filter", async () => {
    git("tag", "-a", "v1", "-m", "v1", first);
    const tagObject = git("rev-parse", "v1");
    expect(tagObject).not.toBe(first);
    const [t] = await pushTargets(dir, "origin", [line("refs/tags/v1", tagObject, ZERO_SHA)]);
    expect(t).toMatchObject({ kind: "tag", name: "v1", sha: first, changedFiles: undefined });
  });

  it("more than three tags at once: GitHub creates no event for them", async () => {
    const tags = ["a", "b", "c", "d"].map((n) => line(`refs/tags/${n}`, first, ZERO_SHA));
    const targets = await pushTargets(dir, "origin", [...tags, line("refs/heads/main", onRemote, first)]);
    expect(targets.map((t) => t.kind)).toEqual(["ignored", "ignored", "ignored", "ignored", "branch"]);
  });
});
