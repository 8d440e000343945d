import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GIT_ENV, gitRepo } from "../tests/support/git-repo.js";
import type { GitRepo } from "../tests/support/git-repo.js";
import { askGit, askGitDir, parseRemote, readRepoInfo } from "./repo-info.js";

describe("parseRemote", () => {
  it.each<[string, { owner: string; name: string } | undefined]>([
    ["https://github.com/octo/widgets.git", { owner: "octo", name: "widgets" }],
    ["https://github.com/octo/widgets", { owner: "octo", name: "widgets" }],
    ["https://github.com/octo/widgets/", { owner: "octo", name: "widgets" }],
    ["https://x-access-token:abc@github.com/octo/widgets.git", { owner: "octo", name: "widgets" }],
    ["git@github.com:octo/widgets.git", { owner: "octo", name: "widgets" }],
    ["git@github.com:octo/widgets", { owner: "octo", name: "widgets" }],
    ["ssh://git@github.com/octo/widgets.git", { owner: "octo", name: "widgets" }],
    ["ssh://git@github.com:22/octo/widgets.git", { owner: "octo", name: "widgets" }],
    ["git://github.com/octo/widgets.git", { owner: "octo", name: "widgets" }],
    ["https://GitHub.com/octo/widgets.git", { owner: "octo", name: "widgets" }],
    ["ssh://git@ssh.github.com:443/octo/widgets.git", { owner: "octo", name: "widgets" }],
    // Not GitHub: no repository name is guessed from another host's path.
    ["https://ghe.example.com/octo/widgets.git", undefined],
    ["https://gitlab.com/octo/widgets.git", undefined],
    ["git@gitlab.com:octo/widgets.git", undefined],
    ["https://github.com.evil.example/octo/widgets.git", undefined],
    ["/srv/git/widgets.git", undefined],
    ["file:///srv/git/octo/widgets.git", undefined],
    ["../widgets", undefined],
    ["https://github.com/octo/group/widgets.git", undefined],
    ["https://github.com/octo/my.repo.git", { owner: "octo", name: "my.repo" }],
    ["https://github.com/octo/octo.github.io", { owner: "octo", name: "octo.github.io" }],
    ["git@github.com:Octo-Org/Widgets_2.git", { owner: "Octo-Org", name: "Widgets_2" }],
    ["  https://github.com/octo/widgets.git\n", { owner: "octo", name: "widgets" }],
    ["widgets", undefined],
    ["", undefined],
  ])("%j", (url, parsed) => {
    expect(parseRemote(url)).toEqual(parsed);
  });

  it("knows a GitHub Enterprise Server by the host it is given", () => {
    expect(parseRemote("https://ghe.example.com/octo/widgets.git", ["ghe.example.com"])).toEqual({ owner: "octo", name: "widgets" });
    expect(parseRemote("git@ghe.example.com:octo/widgets.git", ["GHE.example.com"])).toEqual({ owner: "octo", name: "widgets" });
  });
});

describe("readRepoInfo", () => {
  let repo: GitRepo;
  const git = (...args: string[]): string => execFileSync("git", args, { cwd: repo.dir, env: { ...process.env, ...GIT_ENV }, encoding: "utf8" }).trim();
  beforeEach(() => {
    repo = gitRepo("widgets", { "src/a.txt": "a\n" });
    git("config", "user.name", "Mona Lisa Octocat");
  });
  afterEach(() => repo.dispose());

  it("describes a branch of a clone of GitHub, from a subfolder", async () => {
    git("commit", "-q", "--allow-empty", "-m", "second\n\nwith a body");
    git("remote", "add", "origin", "git@github.com:octo/widgets.git");
    git("update-ref", "refs/remotes/origin/trunk", "HEAD");
    git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk");
    const info = await readRepoInfo(path.join(repo.dir, "src"));
    expect(info).toEqual({
      dir: realpathSync(repo.dir),
      owner: "octo",
      name: "widgets",
      fullName: "octo/widgets",
      sha: git("rev-parse", "HEAD"),
      ref: "refs/heads/main",
      refName: "main",
      refType: "branch",
      defaultBranch: "trunk",
      actor: "Mona-Lisa-Octocat",
      remoteUrl: "git@github.com:octo/widgets.git",
      headCommit: { id: git("rev-parse", "HEAD"), message: "second\n\nwith a body", timestamp: git("log", "-1", "--format=%cI"), author: { name: "T", email: "t@example.com" } },
      before: git("rev-parse", "HEAD^"),
    });
  });

  it("describes a first commit with no remote: local owner, the folder's name, 40 zeros before", async () => {
    const info = await readRepoInfo(repo.dir);
    expect(info).toMatchObject({ owner: "local", name: "widgets", fullName: "local/widgets", ref: "refs/heads/main", defaultBranch: "main", before: "0".repeat(40), headCommit: { message: "fixture" } });
    expect(info.remoteUrl).toBeUndefined();
  });

  it("takes the folder's name for an origin that is not on GitHub, and a GHES origin by --github-url's host", async () => {
    git("remote", "add", "origin", "https://gitlab.example.com/team/other-name.git");
    expect(await readRepoInfo(repo.dir, { env: {} })).toMatchObject({ owner: "local", name: "widgets", fullName: "local/widgets" });
    expect(await readRepoInfo(repo.dir, { githubUrl: "https://gitlab.example.com", env: {} })).toMatchObject({ owner: "team", name: "other-name" });
    expect(await readRepoInfo(repo.dir, { env: { GITHUB_SERVER_URL: "https://gitlab.example.com" } })).toMatchObject({ fullName: "team/other-name" });
  });

  it("describes a detached HEAD at a tag as the tag, and elsewhere as the default branch", async () => {
    git("commit", "-q", "--allow-empty", "-m", "second");
    git("tag", "v1");
    git("checkout", "-q", "--detach", "v1");
    expect(await readRepoInfo(repo.dir)).toMatchObject({ ref: "refs/tags/v1", refName: "v1", refType: "tag", defaultBranch: "main" });
    git("checkout", "-q", "--detach", "HEAD^");
    expect(await readRepoInfo(repo.dir)).toMatchObject({ ref: "refs/heads/main", refName: "main", refType: "branch", before: "0".repeat(40) });
  });

  it("refuses a folder outside any repository, and a repository with no commits", async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), "replay-no-repo-"));
    try {
      await expect(readRepoInfo(outside)).rejects.toMatchObject({ code: "not-a-repository", message: expect.stringContaining("is not inside a git repository") });
      execFileSync("git", ["init", "-q", outside]);
      await expect(readRepoInfo(outside)).rejects.toMatchObject({ code: "not-a-repository", message: expect.stringContaining("has no commits yet") });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe("the repository's questions answered from .git's files, as git answers them", () => {
  let repo: GitRepo;
  const git = (...args: string[]): string => execFileSync("git", args, { cwd: repo.dir, env: { ...process.env, ...GIT_ENV }, encoding: "utf8" }).trim();
  beforeEach(() => {
    repo = gitRepo("widgets", { "src/a.txt": "a\n" });
    git("commit", "-q", "--allow-empty", "-m", "second");
  });
  afterEach(() => repo.dispose());

  // Each case: how the repository is set up, and the folder asked from (relative to it).
  it.each<[string, () => string]>([
    ["a branch, no remote, no user.name", () => repo.dir],
    [
      "origin on GitHub with its default branch, user.name, from a subfolder",
      () => {
        git("config", "user.name", "Mona Lisa");
        git("remote", "add", "origin", "git@github.com:octo/widgets.git");
        git("update-ref", "refs/remotes/origin/trunk", "HEAD");
        git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk");
        return path.join(repo.dir, "src");
      },
    ],
    [
      "an origin rewritten by the longest url.<base>.insteadOf, and a second url",
      () => {
        git("config", "url.git@github.com:.insteadOf", "gh:");
        git("config", "url.https://github.com/other/.insteadOf", "gh:octo/");
        git("remote", "add", "origin", "gh:octo/widgets.git");
        git("config", "--add", "remote.origin.url", "https://example.com/second.git");
        return repo.dir;
      },
    ],
    [
      "a detached HEAD at a tag, refs packed",
      () => {
        git("tag", "-a", "-m", "one", "v1");
        git("checkout", "-q", "--detach", "v1");
        git("pack-refs", "--all");
        return repo.dir;
      },
    ],
    ["a detached HEAD at no tag", () => (git("checkout", "-q", "--detach", "HEAD^"), repo.dir)],
    [
      "a linked worktree on its own branch (.git is a file), from its subfolder",
      () => {
        git("remote", "add", "origin", "https://github.com/octo/widgets.git");
        const wt = path.join(path.dirname(repo.dir), "linked");
        git("worktree", "add", "-q", "-b", "feature/x", wt);
        return path.join(wt, "src");
      },
    ],
    [
      "a path through a symbolic link, an empty user.name",
      () => {
        git("config", "user.name", "");
        const link = path.join(path.dirname(repo.dir), "link");
        symlinkSync(repo.dir, link);
        return path.join(link, "src");
      },
    ],
  ])("%s", async (_what, setUp) => {
    const from = setUp();
    const fromFiles = await askGitDir(from);
    expect(fromFiles).toBeDefined();
    expect(fromFiles).toEqual(await askGit(from));
  });

  it.each<[string, () => string]>([
    ["an origin of a .git/remotes file", () => (writeFileSync(path.join(repo.dir, ".git/remotes/origin"), "URL: https://github.com/octo/legacy.git\n", { flag: "w" }), repo.dir)],
    ["core.worktree set", () => (git("config", "core.worktree", repo.dir), repo.dir)],
    ["a folder inside .git", () => path.join(repo.dir, ".git/refs")],
    ["a HEAD that is no branch", () => (git("update-ref", "refs/remotes/origin/main", "HEAD"), git("symbolic-ref", "HEAD", "refs/remotes/origin/main"), repo.dir)],
  ])("asks git itself for %s, and answers as before", async (_what, setUp) => {
    mkdirSync(path.join(repo.dir, ".git/remotes"), { recursive: true });
    const from = setUp();
    expect(await askGitDir(from)).toBeUndefined();
    const answers = await askGit(from);
    const info = readRepoInfo(from);
    if (answers.dir === undefined) await expect(info).rejects.toMatchObject({ code: "not-a-repository" });
    else await expect(info).resolves.toMatchObject({ dir: answers.dir });
  });
});
