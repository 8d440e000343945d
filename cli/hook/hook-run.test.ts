// hookRun against a real repository and remote, with the Docker part replaced by a fake
// that records what it was asked to replay.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../workflows/index.js";
import type { EventInput, ReplayEvent } from "../../runners/index.js";
import { hookRun } from "./hook-run.js";
import type { ExecutePush, HookRunOptions } from "./hook-run.js";

const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" };
const WORKFLOW = `on:
  push:
    paths: ["src/**"]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: npm run lint
  deploy:
    needs: lint
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: ./deploy
`;

let root: string;
let dir: string;
let pushed: string;
const git = (...args: string[]): string => execFileSync("git", args, { cwd: dir, env, encoding: "utf8" }).trim();
const write = (file: string, content: string): void => {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), content);
};

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "replay-hook-run-"));
  dir = path.join(root, "work");
  mkdirSync(dir);
  execFileSync("git", ["init", "-q", "--bare", path.join(root, "remote.git")]);
  git("init", "-q", "-b", "main");
  write(".github/workflows/ci.yml", WORKFLOW);
  write("src/a.ts", "a\n");
  write("README.md", "hi\n");
  git("add", "-A");
  git("commit", "-qm", "init");
  git("remote", "add", "origin", path.join(root, "remote.git"));
  git("push", "-q", "origin", "main");
  pushed = git("rev-parse", "HEAD");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Call {
  plan: Plan;
  run: Parameters<ExecutePush>[1];
}

/** A replay that reports each planned job with `result` and answers `code`. */
function fakeExecute(calls: Call[], result: "success" | "failure" = "success"): ExecutePush {
  return async (plan, run) => {
    calls.push({ plan, run });
    for (const pw of plan.workflows) {
      for (const j of pw.jobs) {
        const e: EventInput = { type: "job.completed", jobKey: j.id, job: j.id, workflow: pw.workflow.file, name: j.id, matrix: null, result, outputs: {}, durationMs: 10 };
        for (const r of run.reporters) r.onEvent({ ...e, at: new Date().toISOString() } as ReplayEvent);
      }
    }
    return result === "success" ? 0 : 1;
  };
}

async function hook(stdin: string | undefined, o: Partial<HookRunOptions> = {}): Promise<{ code: number; out: string }> {
  const out = new PassThrough();
  let text = "";
  out.on("data", (d: Buffer) => (text += d.toString()));
  const code = await hookRun({
    dir,
    remote: "origin",
    url: path.join(root, "remote.git"),
    stdin,
    env: {},
    out,
    readSecrets: () => Promise.reject(new Error("no .secrets")),
    imageProblems: async () => () => undefined,
    execute: fakeExecute([]),
    ...o,
  });
  return { code, out: text };
}

const line = (sha: string, before = pushed, ref = "refs/heads/main"): string => `${ref} ${sha} ${ref} ${before}\n`;

describe("hookRun", () => {
  it("replays the pushed commit on the pushed ref, with the jobs that can run here", async () => {
    write("src/a.ts", "a2\n");
    git("commit", "-qam", "change a");
    const sha = git("rev-parse", "HEAD");
    const calls: Call[] = [];
    const r = await hook(line(sha), { execute: fakeExecute(calls) });
    expect(r.code).toBe(0);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.run.from).toEqual({ commit: sha, ref: "refs/heads/main" });
    expect(call?.run.repo).toMatchObject({ sha, ref: "refs/heads/main", refName: "main", before: pushed, headCommit: { message: "change a" } });
    expect(call?.plan.workflows.flatMap((pw) => pw.jobs.map((j) => j.id))).toEqual(["lint"]);
    expect(r.out).toContain("deploy (.github/workflows/ci.yml) left out: deploys to environment 'production'");
    expect(r.out).toContain("1 file changed, compared with the remote's");
    expect(r.out).toMatch(/1 job\(s\) passed in .*; pushing\./);
  });

  it("a failed job blocks, naming it and how to skip", async () => {
    const r = await hook(line(git("rev-parse", "HEAD")), { execute: fakeExecute([], "failure") });
    expect(r.code).toBe(1);
    expect(r.out).toContain("1 of 1 job(s) failed (lint)");
    expect(r.out).toContain("REPLAY_SKIP=1 git push");
  });

  it("the pushed commit's workflows decide, not the working tree's", async () => {
    const calls: Call[] = [];
    write("README.md", "docs only\n");
    git("commit", "-qam", "docs");
    // Uncommitted: a workflow without the paths filter, which the README change would trigger.
    write(".github/workflows/ci.yml", WORKFLOW.replace('    paths: ["src/**"]\n', ""));
    const r = await hook(line(git("rev-parse", "HEAD"), git("rev-parse", "HEAD~1")), { execute: fakeExecute(calls) });
    git("checkout", "--", ".github/workflows/ci.yml");
    expect(r.code).toBe(0);
    expect(calls).toHaveLength(0);
    expect(r.out).toContain("nothing to replay for this push");
    expect(r.out).toContain("the changed file 'README.md' does not match paths [src/**]");
  });

  it("REPLAY_SKIP skips before anything; a deletion replays nothing", async () => {
    const calls: Call[] = [];
    const skipped = await hook(line(git("rev-parse", "HEAD")), { env: { REPLAY_SKIP: "1" }, execute: fakeExecute(calls) });
    expect(skipped).toEqual({ code: 0, out: expect.stringContaining("REPLAY_SKIP is set") });
    const deleted = await hook(`(delete) ${"0".repeat(40)} refs/heads/old ${pushed}\n`, { execute: fakeExecute(calls) });
    expect(deleted.code).toBe(0);
    expect(deleted.out).toContain("deleting refs/heads/old starts no push workflow");
    expect(calls).toHaveLength(0);
  });

  it("--jobs picks jobs (and what they need); a name no workflow has is warned about", async () => {
    const calls: Call[] = [];
    write("src/a.ts", "a3\n");
    git("commit", "-qam", "change a again");
    const r = await hook(line(git("rev-parse", "HEAD")), { jobs: ["lint", "nope"], execute: fakeExecute(calls) });
    expect(r.code).toBe(0);
    expect(calls[0]?.plan.workflows.flatMap((pw) => pw.jobs.map((j) => j.id))).toEqual(["lint"]);
    expect(r.out).toContain("--jobs names 'nope', which no workflow of the pushed commit has");
    // What the choice leaves out is named with the setting that does it.
    expect(r.out).toMatch(/^ {2}- \S+ \(\.github\/workflows\/\S+\) left out: not in --jobs \(lint, nope\)$/m);
  });

  it(".replay.yml's hook.jobs names the jobs it leaves out, and itself", async () => {
    write(".replay.yml", "hook:\n  jobs: [lint]\n");
    try {
      write("src/a.ts", "a4\n");
      git("commit", "-qm", "change a once more", "--", "src/a.ts");
      const r = await hook(line(git("rev-parse", "HEAD")), { execute: fakeExecute([]) });
      expect(r.out).toContain("  - deploy (.github/workflows/ci.yml) left out: not in .replay.yml's hook.jobs (lint)\n");
    } finally {
      rmSync(path.join(dir, ".replay.yml"));
    }
  });

  it("the timeout cancels the replay and blocks", async () => {
    const slow: ExecutePush = (_plan, run) =>
      new Promise((resolve) => {
        if (run.signal.aborted) resolve(130);
        run.signal.addEventListener("abort", () => resolve(130));
      });
    const r = await hook(line(git("rev-parse", "HEAD")), { timeout: "300ms", execute: slow });
    expect(r.code).toBe(1);
    expect(r.out).toContain("the 300ms timeout is up");
    expect(r.out).toContain("did not finish within 300ms (--timeout)");
  });

  it.each([
    [130, "Ctrl-C"],
    [143, "SIGTERM"],
  ])("a replay cancelled from outside (exit %i) blocks the push saying so, with its status", async (status, said) => {
    const calls: Call[] = [];
    const cancelled: ExecutePush = async (plan, run) => {
      await fakeExecute(calls)(plan, run);
      return status;
    };
    const r = await hook(line(git("rev-parse", "HEAD")), { execute: cancelled });
    expect(r.code).toBe(status);
    expect(r.out).toContain(`replay: cancelled (${said}), so the push is blocked`);
    expect(r.out).not.toContain("failed");
  });

  it("refuses malformed input as a user error", async () => {
    await expect(hook("refs/heads/main abc refs/heads/main def\n")).rejects.toThrow(/is not '<local ref> <local sha> <remote ref> <remote sha>'/);
  });
});
