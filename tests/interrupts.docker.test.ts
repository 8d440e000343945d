// What ends a replay from outside: a reader that closes its stdout, a second Ctrl-C, a
// SIGTERM. Each goes through the built CLI as a child process; what is checked is what
// is left on the engine under the run's own id (other replays may share the engine).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "./support/corpus.js";
import { labelledNow } from "./support/engine-leftovers.js";
import type { EngineKind } from "./support/engine-leftovers.js";
import { workflowRepo } from "./support/git-repo.js";

const disposals: (() => void)[] = [];
afterAll(() => {
  for (const dispose of disposals) dispose();
});

const WORKFLOW = `on: push
jobs:
  loud:
    runs-on: ubuntu-latest
    steps:
      - run: for i in $(seq 1 600); do echo "line $i"; sleep 0.1; done
  quiet:
    runs-on: ubuntu-latest
    steps:
      - run: echo started; sleep 120
  stubborn:
    runs-on: ubuntu-latest
    steps:
      # A network and a volume of the job's own; a step that ignores the SIGTERM of a
      # cancel keeps the first Ctrl-C's clean-up going (until its SIGKILL) for the second.
      - run: |
          docker network create "net-$GITHUB_RUN_ID" > /dev/null
          docker volume create "vol-$GITHUB_RUN_ID" > /dev/null
          trap "" TERM INT
          echo started
          sleep 120
`;

function repo(): string {
  const r = workflowRepo("interrupts", WORKFLOW);
  disposals.push(r.dispose);
  return r.dir;
}

/** The one run the repository recorded. */
function runIdOf(dir: string): string {
  const runs = readdirSync(path.join(dir, ".replay", "runs"));
  expect(runs).toHaveLength(1);
  return runs[0] ?? "";
}

function recorded(dir: string, runId: string): { result: string; exitCode: number } {
  return JSON.parse(readFileSync(path.join(dir, ".replay", "runs", runId, "meta.json"), "utf8")) as { result: string; exitCode: number };
}

/**
 * What is left of one run, polled for up to 30 s (the engine removes stopped containers
 * after replay exits; a second Ctrl-C leaves the removal to a process of its own).
 */
async function leftOf(runId: string): Promise<string> {
  const kinds: EngineKind[] = ["containers", "networks", "volumes"];
  const until = Date.now() + 30_000;
  for (;;) {
    const left = kinds.map((k) => labelledNow([`dev.replay.run=${runId}`], k)).join(" ").trim();
    if (left === "" || Date.now() > until) return left;
    await sleep(200);
  }
}

function expectNoTrace(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toContain("EPIPE");
  expect(stderr).not.toContain("replay hit a bug");
}

interface Ended {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `replay job <job>` with CI set and calls `on` with each chunk of its output. */
function replay(dir: string, args: string[], on: (out: string, err: string, child: ReturnType<typeof spawn>) => void): Promise<Ended> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, CI: "true" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    on(stdout, stderr, child);
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    on(stdout, stderr, child);
  });
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

describe("a replay ended from outside", () => {
  it.each([["plain", []], ["--json", ["--json"]]])(
    "a reader that closes stdout early (| head -4, %s) cancels it: steps stopped, containers removed, exit 141, no trace",
    async (_label, flags) => {
      const dir = repo();
      const status = path.join(mkdtempSync(path.join(os.tmpdir(), "replay-head-")), "status");
      disposals.push(() => rmSync(path.dirname(status), { recursive: true, force: true }));
      // A real pipe into a real `head`, as a user's shell makes it; the replay's own status
      // is written aside, since the pipeline's is head's.
      const child = spawn("sh", ["-c", 'node="$0"; cli="$1"; shift; { "$node" "$cli" job loud "$@"; echo $? > "$STATUS"; } | head -4', process.execPath, CLI, ...flags], {
        cwd: dir,
        env: { ...process.env, CI: "true", STATUS: status },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      await new Promise((resolve) => child.on("close", resolve));
      expect(stdout.trimEnd().split("\n")).toHaveLength(4);
      expect(readFileSync(status, "utf8").trim()).toBe("141");
      expectNoTrace(stderr);
      const runId = runIdOf(dir);
      expect(recorded(dir, runId)).toMatchObject({ result: "cancelled", exitCode: 141 });
      expect(await leftOf(runId)).toBe("");
    },
  );

  it("a second Ctrl-C quits at once, says what it left and hands it to a removal that leaves nothing", async () => {
    const dir = repo();
    let sent = 0;
    const r = await replay(dir, ["job", "stubborn", "--json"], (out, err, child) => {
      if (sent === 0 && out.includes('"line":"started"')) {
        sent = 1;
        child.kill("SIGINT");
      } else if (sent === 1 && err.includes("cancelling:")) {
        sent = 2;
        child.kill("SIGINT");
      }
    });
    expect(sent).toBe(2);
    expect(r.status).toBe(130);
    const runId = runIdOf(dir);
    expect(r.stderr).toContain(`quitting at once: run ${runId}'s containers, networks and volumes are being removed in the background; if any is left, \`replay gc\` removes it`);
    expectNoTrace(r.stderr);
    expect(await leftOf(runId)).toBe("");
  });

  it("SIGTERM cancels as Ctrl-C does and exits 143; the summary says cancelled, not 0 failed", async () => {
    const dir = repo();
    let sent = false;
    const r = await replay(dir, ["job", "quiet"], (out, _err, child) => {
      if (!sent && out.includes("| started")) {
        sent = true;
        child.kill("SIGTERM");
      }
    });
    expect(r.status).toBe(143);
    expect(r.stderr).toContain("terminated: stopping running steps and removing containers");
    expectNoTrace(r.stderr);
    expect(r.stdout).toMatch(/\n1 job\(s\), cancelled after \d/);
    expect(r.stdout).not.toContain("0 failed");
    expect(r.stdout).toMatch(/quiet\s+cancelled/);
    const runId = runIdOf(dir);
    expect(recorded(dir, runId)).toMatchObject({ result: "cancelled", exitCode: 143 });
    expect(await leftOf(runId)).toBe("");
  });
});
