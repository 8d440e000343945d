import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import type { CliRun } from "./support/corpus.js";
import { workflowRepo } from "./support/git-repo.js";
import { leftAfterRemoval } from "./support/engine-leftovers.js";
import type { JobContainer } from "../runners/index.js";
import { DockerContainerRuntime, connectDocker, ensureImage, runLabels } from "../runners/docker/index.js";

const disposals: (() => void)[] = [];
afterAll(() => {
  for (const dispose of disposals) dispose();
});

// Every job lists its workspace the same way: path, owner, group, mode and type.
const LIST = `find . -path ./.git -prune -o -printf '%p %u:%g %U:%G %m %y\\n' | sort; if command -v git >/dev/null; then git status --porcelain | sed 's/^/status /'; fi; stat -c 'event %u:%g %a' "$GITHUB_EVENT_PATH"`;

const WORKFLOW = `on: push
jobs:
  runner:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: ${LIST}
  root-container:
    runs-on: ubuntu-latest
    container: replay-base:bookworm
    steps:
      - uses: actions/checkout@v4
      - run: ${LIST}
  user-container:
    runs-on: ubuntu-latest
    container:
      image: replay-base:bookworm
      options: --user 1000
    steps:
      - uses: actions/checkout@v4
      - run: ${LIST}
`;

const FILES = {
  "src/nested/deep/file.txt": "text\n",
  "run.sh": { text: "#!/bin/sh\necho run\n", mode: 0o755 },
  [`long/${"n".repeat(120)}/${"f".repeat(120)}.txt`]: "a path longer than a plain tar header holds\n",
  "with space.txt": "x\n",
};

/** Each container's actions on the engine while `run` goes, by the job in its name. */
async function watchEngine<T>(run: () => Promise<T>): Promise<{ result: T; actions: string[] }> {
  const events = spawn("docker", ["events", "--filter", "type=container", "--filter", "label=dev.replay.run", "--format", "{{.Action}} {{.Actor.Attributes.name}}"], { stdio: ["ignore", "pipe", "ignore"] });
  let out = "";
  events.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  await new Promise((resolve) => setTimeout(resolve, 300));
  try {
    const result = await run();
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { result, actions: out.split("\n").filter(Boolean) };
  } finally {
    events.kill();
  }
}

function listing(r: CliRun, jobKey: string): string[] {
  return r.events.filter((e) => e["type"] === "step.output" && e["jobKey"] === jobKey).map((e) => String(e["line"]));
}

describe("the job's workspace", () => {
  it("is the same in every kind of job container, unpacked by the container itself where it runs as root", async () => {
    const repo = workflowRepo("seed", WORKFLOW, FILES);
    disposals.push(repo.dispose);
    const { result: r, actions } = await watchEngine(() => runCli(["run", "--json"], repo.dir));
    expect(r.exitCode, r.stderr).toBe(0);

    const runner = listing(r, "runner");
    expect(runner).toEqual(expect.arrayContaining(["./src/nested/deep/file.txt runner:runner 1001:1001 644 f", "./run.sh runner:runner 1001:1001 755 f", "./with space.txt runner:runner 1001:1001 644 f", "event 1001:1001 644"]));
    expect(runner.some((l) => l.includes("f".repeat(120)))).toBe(true);
    expect(runner.filter((l) => l.startsWith("status "))).toEqual([]);
    // The same files, owners and modes (by number: the base image has no runner user).
    const numeric = (lines: string[]): string[] => lines.map((l) => l.replace(/ \S+:\S+ (\d+:\d+)/, " $1"));
    expect(numeric(listing(r, "root-container"))).toEqual(numeric(runner));
    expect(numeric(listing(r, "user-container"))).toEqual(numeric(runner));

    // Unpacked in the container where it can be (root), through the engine where not.
    const extracted = actions.filter((a) => a.startsWith("extract-to-dir "));
    expect(extracted.filter((a) => /-runner-/.test(a))).toEqual([]);
    expect(extracted.filter((a) => /-root-container-/.test(a))).toEqual([]);
    expect(extracted.filter((a) => /-user-container-/.test(a))).toHaveLength(1);
  });

  it("a chain whose first job fails leaves no container of the jobs started ahead", async () => {
    const repo = workflowRepo(
      "warm",
      `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 1; exit 1
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: echo b
  c:
    needs: b
    runs-on: ubuntu-latest
    steps:
      - run: echo c
`,
    );
    disposals.push(repo.dispose);
    const { result: r, actions } = await watchEngine(() => runCli(["run", "--json"], repo.dir));
    expect(r.exitCode).toBe(1);
    const runId = String(r.events.find((e) => e["type"] === "run.started")?.["runId"]);
    const created = actions.filter((a) => a.startsWith("create ") && a.includes(runId));
    // b and c were started ahead while a ran, and went with the run.
    expect(created.map((a) => a.replace(/^create replay-\d+-(\w+)-.*$/, "$1")).sort()).toEqual(["a", "b", "c"]);
    expect(r.events.filter((e) => e["type"] === "job.started").map((e) => e["jobKey"])).toEqual(["a"]);
    expect(await leftAfterRemoval([`dev.replay.run=${runId}`])).toBe("");
  });
});

describe("a workspace written while the job's container starts", () => {
  const start = async (ready: () => Promise<void>, tar: string, hostDir: string): Promise<{ container: JobContainer; startedAt: number }> => {
    const { docker } = await connectDocker();
    const image = await ensureImage(docker, { name: "runner" });
    const runtime = new DockerContainerRuntime(docker);
    const name = `replay-seed-late-${randomUUID().slice(0, 8)}`;
    const container = await runtime.createJobContainer({
      image,
      name,
      labels: runLabels(`seed-late-${process.pid}`),
      env: {},
      binds: [{ host: hostDir, container: "/home/runner/work/_runner_file_commands" }],
      agentDir: { host: hostDir, container: "/home/runner/work/_runner_file_commands" },
      workdir: "/home/runner/work/late/late",
      workspace: { tar, path: "/home/runner/work", ready },
    });
    const startedAt = Date.parse(execFileSync("docker", ["inspect", "-f", "{{.State.StartedAt}}", container.id], { encoding: "utf8" }).trim());
    return { container, startedAt };
  };

  it("is unpacked once it is ready, by a container that started before", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "replay-seed-late-"));
    disposals.push(() => rmSync(dir, { recursive: true, force: true }));
    const hostDir = path.join(dir, "job");
    mkdirSync(hostDir, { mode: 0o777 });
    chmodSync(hostDir, 0o777);
    const tar = path.join(dir, "workspace.tar");
    let readyAt = 0;
    // Asked for once the container exists (writing it sooner would only delay the
    // creation), the archive is written 1.5 s later: the container starts before.
    const asked: string[] = [];
    const ready = (): Promise<void> => {
      asked.push(execFileSync("docker", ["ps", "-aq", "--filter", `label=dev.replay.run=seed-late-${process.pid}`], { encoding: "utf8" }).trim());
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          mkdirSync(path.join(dir, "src/late/late"), { recursive: true });
          writeFileSync(path.join(dir, "src/late/late/file.txt"), "written late\n");
          execFileSync("tar", ["-cf", tar, "--owner=1001", "--group=1001", "-C", path.join(dir, "src"), "late"]);
          readyAt = Date.now();
          resolve();
        }, 1500),
      );
    };
    const { container, startedAt } = await start(ready, tar, hostDir);
    try {
      expect(asked).toEqual([container.id.slice(0, 12)]);
      expect(startedAt).toBeLessThan(readyAt);
      let out = "";
      const code = await container.exec({ cmd: ["sh", "-c", "cat file.txt; stat -c %u:%g file.txt"], env: {}, user: "runner", onStdout: (b) => (out += b.toString()), onStderr: (b) => (out += b.toString()) });
      expect({ code, out }).toEqual({ code: 0, out: "written late\n1001:1001\n" });
    } finally {
      await container.remove();
    }
  });

  it("that cannot be written fails the container's creation and leaves no container", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "replay-seed-late-"));
    disposals.push(() => rmSync(dir, { recursive: true, force: true }));
    const hostDir = path.join(dir, "job");
    mkdirSync(hostDir, { mode: 0o777 });
    const failed = new Promise<void>((_resolve, reject) => setTimeout(() => reject(new Error("git ls-files failed")), 500));
    await expect(start(() => failed, path.join(dir, "workspace.tar"), hostDir)).rejects.toThrow("git ls-files failed");
    expect(await leftAfterRemoval([`dev.replay.run=seed-late-${process.pid}`])).toBe("");
  });
});
