// The pre-push hook end to end: real repositories pushing to a bare remote on disk,
// through the hook `replay hook install` writes, which runs the built CLI.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, runCli } from "./support/corpus.js";
import { GIT_ENV } from "./support/git-repo.js";
import { leftAfterRemoval } from "./support/engine-leftovers.js";

// `Lint` checks that the job sees the pushed commit: its files, its sha, and .git at it.
const LINT = `on:
  push:
    paths: ["src/**"]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Lint
        run: |
          echo "linting: $(cat src/app.txt)"
          test "$(git rev-parse HEAD)" = "$GITHUB_SHA"
          test "$GITHUB_REF" = "refs/heads/$(git symbolic-ref --short HEAD)"
          test -z "$(git status --porcelain --untracked-files=no)"
          grep -qx good src/app.txt
`;

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

interface Repo {
  dir: string;
  remote: string;
  git: (...args: string[]) => string;
  write: (file: string, content: string) => void;
  commit: (files: Record<string, string>, message: string) => string;
  /** `git push` as a user types it; the hook's output is in `output`. */
  push: (args?: string[], env?: Record<string, string>) => Promise<{ status: number | null; output: string }>;
  remoteRef: (ref: string) => string | undefined;
}

function repo(workflow: string, files: Record<string, string> = { "src/app.txt": "good\n", "README.md": "hello\n" }): Repo {
  const root = mkdtempSync(path.join(os.tmpdir(), "replay-hook-"));
  roots.push(root);
  const remote = path.join(root, "remote.git");
  const dir = path.join(root, "work");
  mkdirSync(dir);
  execFileSync("git", ["init", "-q", "--bare", remote]);
  const env = { ...process.env, ...GIT_ENV, CI: "true" };
  const git = (...args: string[]): string => execFileSync("git", args, { cwd: dir, env, encoding: "utf8" }).trim();
  const write = (file: string, content: string): void => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  };
  const commit = (fs: Record<string, string>, message: string): string => {
    for (const [f, c] of Object.entries(fs)) write(f, c);
    git("add", "-A", "--", ...Object.keys(fs));
    git("commit", "-qm", message);
    return git("rev-parse", "HEAD");
  };
  git("init", "-q", "-b", "main");
  commit({ ".github/workflows/lint.yml": workflow, ...files }, "init");
  git("remote", "add", "origin", remote);
  // The remote starts with main (no hook yet), as a clone would.
  git("push", "-q", "origin", "main");
  // Not spawnSync: a push takes seconds, and the test worker must stay responsive.
  const push = (args: string[] = ["origin", "main"], extra: Record<string, string> = {}): Promise<{ status: number | null; output: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn("git", ["push", ...args], { cwd: dir, env: { ...env, ...extra } });
      let output = "";
      child.stdout.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      child.on("error", reject);
      child.on("close", (status) => resolve({ status, output }));
    });
  const remoteRef = (ref: string): string | undefined => {
    const r = spawnSync("git", ["--git-dir", remote, "rev-parse", "-q", "--verify", ref], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  return { dir, remote, git, write, commit, push, remoteRef };
}

async function install(r: Repo, args: string[] = []): Promise<string> {
  const out = await runCli(["hook", "install", ...args], r.dir);
  expect(out.exitCode, out.stderr).toBe(0);
  return out.stdout;
}

const runIds = (r: Repo): string[] => (existsSync(path.join(r.dir, ".replay/runs")) ? readdirSync(path.join(r.dir, ".replay/runs")) : []);
const runs = (r: Repo): number => runIds(r).length;
/** Containers of this repository's replays (other replays may share the engine). */
const leftovers = (r: Repo): Promise<string> => leftAfterRemoval(runIds(r).map((id) => `dev.replay.run=${id}`));

describe("the pre-push hook", () => {
  it("blocks a push whose replayed job fails, leaving the remote ref where it was; then lets the fix through", async () => {
    const r = repo(LINT);
    await install(r);
    const before = r.remoteRef("main");
    r.commit({ "src/app.txt": "bad\n" }, "break it");
    const blocked = await r.push();
    expect(blocked.status, blocked.output).not.toBe(0);
    expect(blocked.output).toContain("✗ lint");
    expect(blocked.output).toContain("step 'Lint' failed");
    expect(blocked.output).toContain("linting: bad"); // the failing step's last lines
    expect(blocked.output).toMatch(/the push is blocked/);
    expect(blocked.output).toContain("REPLAY_SKIP=1 git push");
    expect(r.remoteRef("main")).toBe(before);

    // Not the content the remote has: a push whose net change is nothing runs nothing.
    const fixed = r.commit({ "src/app.txt": "good\nfixed\n" }, "fix it");
    const ok = await r.push();
    expect(ok.status, ok.output).toBe(0);
    expect(ok.output).toMatch(/✓ lint \(/);
    expect(ok.output).toMatch(/1 job\(s\) passed in/);
    expect(r.remoteRef("main")).toBe(fixed);
    expect(await leftovers(r)).toBe("");
  });

  it("runs nothing for a push that touches only files outside the workflow's paths", async () => {
    const r = repo(LINT);
    await install(r);
    const sha = r.commit({ "README.md": "more\n" }, "docs");
    const started = runs(r);
    const p = await r.push();
    expect(p.status, p.output).toBe(0);
    expect(p.output).toContain("nothing to replay for this push");
    expect(p.output).toContain("the changed file 'README.md' does not match paths [src/**]");
    expect(runs(r)).toBe(started);
    expect(r.remoteRef("main")).toBe(sha);
  });

  it("decides on the commit being pushed, never on uncommitted changes", async () => {
    const r = repo(LINT);
    await install(r);
    // Committed: good. In the working tree: a change that would fail the job.
    const good = r.commit({ "src/app.txt": "good\ngood\n" }, "still good");
    r.write("src/app.txt", "bad\n");
    const ok = await r.push();
    expect(ok.status, ok.output).toBe(0);
    expect(ok.output).toContain("✓ lint");
    expect(r.remoteRef("main")).toBe(good);

    // Committed: bad. In the working tree: the fix, not committed.
    r.git("add", "src/app.txt");
    r.git("commit", "-qm", "bad");
    r.write("src/app.txt", "good\n");
    const blocked = await r.push();
    expect(blocked.status, blocked.output).not.toBe(0);
    expect(blocked.output).toContain("linting: bad");
    expect(r.remoteRef("main")).toBe(good);
    expect(readFileSync(path.join(r.dir, "src/app.txt"), "utf8")).toBe("good\n");
  });

  it("replays a new branch's push on that branch, compared with what the remote has", async () => {
    const r = repo(LINT.replace('paths: ["src/**"]', 'branches: ["feature/**"]\n    paths: ["src/**"]'));
    await install(r);
    r.git("checkout", "-q", "-b", "feature/x");
    r.commit({ "README.md": "only docs\n" }, "docs");
    const quiet = await r.push(["-u", "origin", "feature/x"]);
    expect(quiet.status, quiet.output).toBe(0);
    expect(quiet.output).toContain("nothing to replay");
    const sha = r.commit({ "src/app.txt": "good\n\n" }, "code");
    const ran = await r.push(["origin", "feature/x"]);
    expect(ran.status, ran.output).toBe(0);
    expect(ran.output).toContain("push to 'feature/x'");
    expect(ran.output).toContain("✓ lint");
    expect(r.remoteRef("refs/heads/feature/x")).toBe(sha);
  });

  it("keeps a hook that was there: it runs first with git's input, its failure blocks, and uninstall puts it back", async () => {
    const r = repo(LINT);
    const hookFile = path.join(r.dir, ".git/hooks/pre-push");
    const seen = path.join(r.dir, "..", "seen.txt");
    const foreign = `#!/bin/sh\necho "$1 $(cat)" >> '${seen}'\n[ -z "$FAIL_FOREIGN" ]\n`;
    writeFileSync(hookFile, foreign, { mode: 0o755 });
    expect(await install(r)).toContain("pre-push.replay-chained");
    expect(await install(r)).toContain("installed already");

    const sha = r.commit({ "src/app.txt": "good\n\n" }, "change");
    const blocked = await r.push(["origin", "main"], { FAIL_FOREIGN: "1" });
    expect(blocked.status, blocked.output).not.toBe(0);
    expect(blocked.output).not.toContain("✓ lint"); // replay never started
    const ok = await r.push();
    expect(ok.status, ok.output).toBe(0);
    expect(ok.output).toContain("✓ lint");
    expect(r.remoteRef("main")).toBe(sha);
    expect(readFileSync(seen, "utf8")).toContain(`origin refs/heads/main ${sha} refs/heads/main`);

    const un = await runCli(["hook", "uninstall"], r.dir);
    expect(un.stdout).toContain("the hook that was there before");
    expect(readFileSync(hookFile, "utf8")).toBe(foreign);
    expect((await runCli(["hook", "uninstall"], r.dir)).stdout).toContain("nothing to do");
    expect(readFileSync(hookFile, "utf8")).toBe(foreign);
  });

  it.each<[string, (r: Repo) => void, string]>([
    ["husky", (r) => r.write(".husky/pre-commit", "npm test\n"), `replay hook run "$@"`],
    ["lefthook", (r) => r.write("lefthook.yml", "pre-commit:\n  commands: {}\n"), "run: replay hook run {1} {2}"],
  ])("prints the line to add when %s manages the hooks, and writes nothing", async (_what, arrange, line) => {
    const r = repo(LINT);
    arrange(r);
    const out = await install(r);
    expect(out).toContain(line);
    expect(existsSync(path.join(r.dir, ".git/hooks/pre-push"))).toBe(false);
  });

  it("a timeout stops the jobs, removes their containers and blocks, saying how to skip; REPLAY_SKIP=1 skips", async () => {
    const r = repo(LINT.replace("grep -qx good src/app.txt", "echo sleeping; sleep 600"));
    await install(r, ["--timeout", "8s"]);
    r.commit({ "src/app.txt": "good\n\n" }, "slow");
    const t0 = Date.now();
    const p = await r.push();
    expect(p.status, p.output).not.toBe(0);
    expect(Date.now() - t0).toBeLessThan(120_000);
    expect(p.output).toContain("did not finish within 8s");
    expect(p.output).toMatch(/⊘ lint .*cancelled/);
    expect(runs(r)).toBe(1);
    expect(p.output).toContain("REPLAY_SKIP=1 git push");
    expect(await leftovers(r)).toBe("");

    const skipped = await r.push(["origin", "main"], { REPLAY_SKIP: "1" });
    expect(skipped.status, skipped.output).toBe(0);
    expect(skipped.output).toContain("REPLAY_SKIP is set");
  });

  it("the hook runs the built CLI that installed it, even with no replay on PATH", async () => {
    const r = repo(LINT);
    await install(r);
    const script = readFileSync(path.join(r.dir, ".git/hooks/pre-push"), "utf8");
    expect(script).toContain(`REPLAY_ENTRY='${CLI}'`);
    expect(script).toContain(`REPLAY_NODE='${process.execPath}'`);
    r.commit({ "src/app.txt": "good\n\n" }, "change");
    const p = await r.push(["origin", "main"], { PATH: "/usr/bin:/bin" });
    expect(p.status, p.output).toBe(0);
    expect(p.output).toContain("✓ lint");
  });
});
