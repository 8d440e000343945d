// ssh:// engines as the docker CLI reaches them (`docker system dial-stdio` on the far
// side), with the user's own ssh set-up: a key in ~/.ssh or the agent, and known_hosts.
// The far side is Debian's sshd on 127.0.0.1 in front of this machine's engine, so the
// job's files are shared and it runs green.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, runCli } from "./support/corpus.js";
import { leftAfterRemoval } from "./support/engine-leftovers.js";
import { startSshServer } from "./support/ssh-server.js";
import type { SshServer } from "./support/ssh-server.js";
import { stepLog, tempRepo } from "./support/temp-repo.js";

const workflow = (marker: string): string => `on: push
jobs:
  hello:
    runs-on: ubuntu-latest
    steps:
      - run: echo "hello over ssh"
      - name: a container started by a step goes to the same engine
        run: docker run --rm --label dev.replay.test=${marker} replay-base:bookworm echo "from a step container"
`;

describe("an engine reached over ssh://", () => {
  let sshd: SshServer;
  const marker = `ssh-${randomUUID().slice(0, 8)}`;
  let repo: { dir: string; dispose: () => void };
  const env = (home: string, extra: Record<string, string> = {}): Record<string, string> => ({ DOCKER_HOST: sshd.dockerHost, DOCKER_CONTEXT: "", SSH_AUTH_SOCK: "", HOME: home, ...extra });

  beforeAll(async () => {
    sshd = await startSshServer();
    repo = tempRepo("replay-ssh-", { ".github/workflows/ci.yml": workflow(marker) });
  }, 60_000);
  afterAll(async () => {
    repo?.dispose();
    await sshd?.stop();
  }, 30_000);

  it("runs a job green with the key in ~/.ssh, and the containers its steps start go there too", async () => {
    const before = sshd.logins();
    const run = await runCli(["job", "hello", "--json"], repo.dir, env(sshd.home));
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    const log = stepLog(run.events);
    expect(log).toContain("hello over ssh");
    expect(log).toContain("from a step container");
    // Through sshd, not a fall-back to the local socket.
    expect(sshd.logins()).toBeGreaterThan(before);
    expect(await leftAfterRemoval([`dev.replay.test=${marker}`])).toBe("");
  }, 240_000);

  it("logs in with the agent of SSH_AUTH_SOCK when ~/.ssh has no key", async () => {
    const agent = await sshd.agent();
    const run = await runCli(["job", "hello", "--json"], repo.dir, env(sshd.homeWithoutKey, { SSH_AUTH_SOCK: agent }));
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(stepLog(run.events)).toContain("hello over ssh");
  }, 240_000);

  it("`replay doctor` names the ssh engine", async () => {
    const run = await runCli(["doctor"], repo.dir, env(sshd.home));
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`engine +ok: Docker \\S+ \\(API [\\d.]+\\) on .+, (x86_64|aarch64|amd64|arm64), ssh://root@127\\.0\\.0\\.1:${sshd.port} \\(DOCKER_HOST\\); answers in \\d+ ms`));
    expect(run.stdout).toMatch(/on it +replay images runner/);
  }, 60_000);

  it("refuses a host that is not in ~/.ssh/known_hosts, saying how to add it", async () => {
    const run = await runCli(["job", "hello"], repo.dir, env(sshd.homeWithoutKnownHost));
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`the host key of [127.0.0.1]:${sshd.port} is not in`);
    expect(run.stderr).toContain("ssh-keyscan");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("refuses when neither the agent nor ~/.ssh has a key the server takes", async () => {
    const run = await runCli(["job", "hello"], repo.dir, env(sshd.homeWithoutKey));
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("refused every key");
  }, 60_000);

  // Last: it kills sshd.
  it("in a pool, an engine lost mid-run (its sshd killed) fails the job it was given, says which engine, takes no more jobs, and the cells on the other engine go on", async () => {
    const pool = tempRepo("replay-ssh-pool-", {
      ".github/workflows/ci.yml": `on: push
jobs:
  cells:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        n: [1, 2, 3, 4, 5]
    steps:
      - run: sleep 2
      - run: echo "cell \${{ matrix.n }} done"
`,
    });
    try {
      const local = "unix:///var/run/docker.sock";
      const child = spawn(process.execPath, [CLI, "job", "cells", "--engine", local, "--engine", sshd.dockerHost, "--parallel", "1", "--json"], {
        cwd: pool.dir,
        env: { ...process.env, CI: "true", ...env(sshd.home) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      let cut = false;
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        stdout += d;
        // The ssh engine goes away once a job has started there.
        if (!cut && stdout.includes(`"engine":"${sshd.dockerHost}"`)) {
          cut = true;
          sshd.cut();
        }
      });
      const exitCode = await new Promise<number | null>((resolve) => child.on("close", resolve));
      const events = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(cut, stderr.slice(-2000)).toBe(true);
      expect(exitCode).toBe(1);
      const lostAt = events.findIndex((e) => e["type"] === "notice" && String(e["message"]).startsWith(`engine ${sshd.dockerHost} stopped answering`));
      expect(lostAt, stderr.slice(-2000)).toBeGreaterThan(-1);
      expect(events.filter((e) => String(e["message"] ?? "").includes("stopped answering"))).toHaveLength(1);
      // No job starts on the lost engine after it was found lost; every cell ended.
      expect(events.slice(lostAt).some((e) => e["type"] === "job.started" && e["engine"] === sshd.dockerHost)).toBe(false);
      const completed = events.filter((e) => e["type"] === "job.completed");
      expect(completed).toHaveLength(5);
      const failed = completed.filter((e) => e["result"] === "failure").length;
      expect(failed).toBeGreaterThanOrEqual(1);
      expect(completed.filter((e) => e["result"] === "success").length).toBeGreaterThanOrEqual(3);
      const runId = String(events.find((e) => e["type"] === "run.started")?.["runId"]);
      expect(await leftAfterRemoval([`dev.replay.run=${runId}`])).toBe("");
    } finally {
      pool.dispose();
    }
  }, 240_000);
});
