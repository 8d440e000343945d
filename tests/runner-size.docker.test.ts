import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import { stepLog, tempRepo } from "./support/temp-repo.js";

// --runner-size and .replay.yml's runner-size / runner-sizes, through the CLI: what the
// job reads for its CPUs (nproc) and memory (the cgroup's limit, v2 or v1), and the
// degraded mark when the host is smaller than the size (this machine has 2 cores).

const PROBE = [
  'echo "nproc=$(nproc)"',
  'echo "node-parallelism=$(node -e "console.log(require(\'os\').availableParallelism())")"',
  'if [ -f /sys/fs/cgroup/memory.max ]; then m=$(cat /sys/fs/cgroup/memory.max); else m=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes); fi',
  '[ "$m" -gt 1000000000000000 ] 2>/dev/null && m=max',
  'echo "memory=$m"',
].join("\n");

const job = (runsOn: string): string => `    runs-on: ${runsOn}\n    steps:\n      - run: |\n${PROBE.split("\n").map((l) => `          ${l}`).join("\n")}\n`;

const WORKFLOW = `on: push\njobs:\n  std:\n${job("ubuntu-latest")}  slim:\n${job("ubuntu-slim")}  big:\n${job("ubuntu-latest-1-core")}  own:\n${job("[self-hosted, gpu]")}  after:\n    needs: std\n${job("ubuntu-latest")}`;

const repo = tempRepo("replay-sizes-", { ".github/workflows/ci.yml": WORKFLOW });
afterAll(() => repo.dispose());

const GiB = 1024 ** 3;
const hostCpus = os.availableParallelism();

function probe(log: string): { nproc: number; parallelism: number; memory: string } {
  return { nproc: Number(/nproc=(\d+)/.exec(log)?.[1]), parallelism: Number(/node-parallelism=(\d+)/.exec(log)?.[1]), memory: /memory=(\S+)/.exec(log)?.[1] ?? "" };
}

async function replay(jobId: string, args: string[]): Promise<{ log: string; events: Record<string, unknown>[]; stderr: string }> {
  const run = await runCli(["job", jobId, "--json", ...args], repo.dir);
  const log = stepLog(run.events);
  expect(run.events.find((e) => e["type"] === "job.completed")?.["result"], log + run.stderr.slice(-2000)).toBe("success");
  return { log, events: run.events, stderr: run.stderr };
}

const notices = (events: Record<string, unknown>[]): Record<string, unknown>[] => events.filter((e) => e["type"] === "notice" && e["runnerSize"] !== undefined);

describe("runner sizes", () => {
  it("host (the default) limits nothing: the job sees the whole machine", async () => {
    const { log, events } = await replay("std", []);
    expect(probe(log)).toEqual({ nproc: hostCpus, parallelism: hostCpus, memory: "max" });
    expect(notices(events)).toEqual([]);
  });

  it("--runner-size private gives ubuntu-latest GitHub's 2 CPUs and 7 GB", async () => {
    const { log, events } = await replay("std", ["--runner-size", "private"]);
    expect(probe(log)).toEqual({ nproc: Math.min(2, hostCpus), parallelism: Math.min(2, hostCpus), memory: String(7 * GiB) });
    expect(notices(events)[0]?.["runnerSize"]).toMatchObject({ label: "ubuntu-latest", cpus: 2, memoryBytes: 7 * GiB });
  });

  it("--runner-size public gives ubuntu-slim 1 CPU and 5 GB", async () => {
    const { log } = await replay("slim", ["--runner-size", "public"]);
    expect(probe(log)).toEqual({ nproc: 1, parallelism: 1, memory: String(5 * GiB) });
  });

  it("public ubuntu-latest (4 CPUs) on a 2-core host runs with 2 and is marked degraded in the events and the summary", async () => {
    expect(hostCpus, "this test needs a host with fewer than 4 CPUs").toBeLessThan(4);
    const { log, events } = await replay("std", ["--runner-size", "public"]);
    expect(probe(log)).toEqual({ nproc: hostCpus, parallelism: hostCpus, memory: String(16 * GiB) });
    const n = notices(events)[0];
    expect(n?.["level"]).toBe("warning");
    expect(n?.["runnerSize"]).toMatchObject({ label: "ubuntu-latest", cpus: 4, appliedCpus: hostCpus, degraded: expect.stringContaining(`${hostCpus} of its 4 CPUs`) });
    // `after` needs std: its container starts warm, before its job.started, and is marked all the same.
    const plain = await runCli(["job", "after", "--runner-size", "public", "--parallel", "2"], repo.dir);
    expect(plain.stdout).toMatch(/std\s+success \(degraded\)/);
    expect(plain.stdout).toMatch(/after\s+success \(degraded\)/);
    expect(plain.stdout).toContain(`degraded: std: this host has ${hostCpus} CPUs`);
    expect(plain.stderr).toContain("warning: runner size degraded: ubuntu-latest (GitHub's public repository size): 4 CPUs, 16 GB");
  });

  it(".replay.yml runner-size and runner-sizes size a larger-runner label; a label without a size is told", async () => {
    const dir = repo.dir;
    writeFileSync(path.join(dir, ".replay.yml"), "runner-size: public\nrunner-sizes:\n  ubuntu-latest-1-core: { cpus: 1, memory: 1G }\n");
    try {
      expect(probe((await replay("big", [])).log)).toEqual({ nproc: 1, parallelism: 1, memory: String(GiB) });
      const own = await replay("own", []);
      expect(probe(own.log).memory).toBe("max");
      expect(own.stderr + JSON.stringify(own.events)).toContain("GitHub documents no size for runs-on self-hosted, gpu");
    } finally {
      execFileSync("rm", ["-f", path.join(dir, ".replay.yml")]);
    }
  });

  it("bad values are refused with exit 2, naming the flag or the .replay.yml line", async () => {
    const flag = await runCli(["job", "std", "--runner-size", "huge"], repo.dir);
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toContain("--runner-size");
    expect(flag.stderr).toContain("huge");
    writeFileSync(path.join(repo.dir, ".replay.yml"), "images: {}\nrunner-sizes:\n  big: { cpus: 8, memory: lots }\n");
    try {
      const file = await runCli(["job", "std"], repo.dir);
      expect(file.exitCode).toBe(2);
      expect(file.stderr).toMatch(/\.replay\.yml:3:\d+/);
      expect(file.stderr).toContain("a size like 32G");
      expect(file.events.filter((e) => e["type"] === "job.started")).toEqual([]);
    } finally {
      execFileSync("rm", ["-f", path.join(repo.dir, ".replay.yml")]);
    }
  });
});
