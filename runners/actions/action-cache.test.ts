// The action cache against a repository served over file:// (git, no Docker, no network).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActionCache, defaultActionCacheDir } from "./action-cache.js";

const root = mkdtempSync(path.join(os.tmpdir(), "replay-action-cache-test-"));
const server = path.join(root, "server");
const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" };
const git = (cwd: string, ...args: string[]): string => execFileSync("git", args, { cwd, env, encoding: "utf8" }).trim();
let v1 = "";
let head = "";

beforeAll(() => {
  const work = path.join(root, "work");
  mkdirSync(path.join(work, "sub"), { recursive: true });
  writeFileSync(path.join(work, "sub", "action.yml"), "name: one\n");
  git(work, "init", "-q", "-b", "main");
  git(work, "add", "-A");
  git(work, "commit", "-qm", "one");
  git(work, "tag", "-a", "v1", "-m", "v1");
  v1 = git(work, "rev-parse", "HEAD");
  writeFileSync(path.join(work, "sub", "action.yml"), "name: two\n");
  git(work, "commit", "-qam", "two");
  head = git(work, "rev-parse", "HEAD");
  mkdirSync(path.join(server, "o"), { recursive: true });
  execFileSync("git", ["clone", "-q", "--bare", work, path.join(server, "o", "r.git")]);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ref = (r: string, p = "sub") => ({ owner: "o", repo: "r", path: p, ref: r });

describe("ActionCache", () => {
  const cacheRoot = path.join(root, "cache");
  const online = (): ActionCache => new ActionCache({ root: cacheRoot, githubUrl: `file://${server}`, offline: false });

  it("resolves a tag (peeled), a branch and a full SHA, each to its commit, keyed by commit", async () => {
    const tag = await online().fetch(ref("v1"));
    expect(tag.commit).toBe(v1);
    expect(tag.repoDir).toBe(path.join(cacheRoot, "o", "r", v1));
    expect(readFileSync(path.join(tag.dir, "action.yml"), "utf8")).toBe("name: one\n");
    expect(existsSync(path.join(tag.repoDir, ".git"))).toBe(false);
    expect((await online().fetch(ref("main"))).commit).toBe(head);
    expect((await online().fetch(ref(head))).commit).toBe(head);
  });

  it("refuses a short SHA naming the full one, and an unknown version or repository as GitHub words it", async () => {
    await expect(online().fetch(ref(v1.slice(0, 7)))).rejects.toThrow(
      `Unable to resolve action \`o/r@${v1.slice(0, 7)}\`, the provided ref \`${v1.slice(0, 7)}\` is the shortened version of a commit SHA, which is not supported. Please use the full commit SHA \`${v1}\` instead.`,
    );
    await expect(online().fetch(ref("v9"))).rejects.toThrow("Unable to resolve action `o/r@v9`, unable to find version `v9`");
    await expect(online().fetch({ owner: "o", repo: "nope", path: "", ref: "v1" })).rejects.toThrow("Unable to resolve action `o/nope@v1`, repository not found");
  });

  it("offline: uses what was fetched (refs.json remembers tags and branches) and names what is missing", async () => {
    await online().fetch(ref("v1"));
    rmSync(server, { recursive: true, force: true });
    const offline = new ActionCache({ root: cacheRoot, githubUrl: "file:///nowhere", offline: true });
    expect((await offline.fetch(ref("v1"))).commit).toBe(v1);
    expect((await offline.fetch(ref(head))).commit).toBe(head);
    await expect(offline.fetch(ref("v2"))).rejects.toThrow(`the action \`o/r/sub@v2\` is not in replay's action cache (${cacheRoot}) and --offline fetches nothing`);
    await expect(offline.fetch(ref(v1.slice(0, 8)))).rejects.toThrow("is the shortened version of a commit SHA");
    // Online, a full SHA already in the cache needs no server either.
    expect((await online().fetch(ref(head))).commit).toBe(head);
  });

  it("lives under XDG_CACHE_HOME, else ~/.cache", () => {
    expect(defaultActionCacheDir({ XDG_CACHE_HOME: "/x" })).toBe("/x/replay/actions");
    expect(defaultActionCacheDir({ HOME: "/home/u" })).toBe("/home/u/.cache/replay/actions");
  });
});
