// ssh:// engines as the docker CLI reaches them (`docker system dial-stdio` on the far
// side), with the user's own ssh set-up: a key in ~/.ssh or the agent, and known_hosts.
// The far side is Debian's sshd on 127.0.0.1 in front of this machine's engine, so the
// job's files are shared and it runs green.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
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
});
