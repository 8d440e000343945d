// What every figure of the benchmark shares: temporary repositories, replays with their
// event streams, timed commands, medians, and the cleanup of what a figure created.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const cli = path.join(root, "dist/cli/main.js");
export const launcher = path.join(root, "bin/replay");
/** Label of every container the benchmark itself starts (replay's and gitlab-ci-local's clean up their own). */
export const LABEL = "dev.replay.bench=1";

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const gitEnv = { ...process.env, GIT_AUTHOR_NAME: "bench", GIT_AUTHOR_EMAIL: "b@e", GIT_COMMITTER_NAME: "bench", GIT_COMMITTER_EMAIL: "b@e", CI: "true" };

// Cleanups run in reverse order at the end of a figure, and on Ctrl-C.
const cleanups = new Set();
export function onCleanup(fn) {
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
    fn();
  };
}
function cleanAll() {
  for (const fn of [...cleanups].reverse()) {
    try {
      fn();
    } catch {
      // best effort: the rest still run
    }
  }
  cleanups.clear();
}
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    cleanAll();
    process.exit(130);
  });
}

/** A temporary git repository holding `files` (path → text), committed; removed by the returned cleanup. */
export function makeRepo(files, prefix = "replay-bench-") {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const remove = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "bench"]]) execFileSync("git", args, { cwd: dir, env: gitEnv });
  return { dir, remove };
}

/** Now on the wall clock, in ms with a fraction: the clock of REPLAY_TRACE's marks (common/trace.ts). */
export const nowMs = () => performance.timeOrigin + performance.now();

/**
 * Runs the replay command with `args` (`--json` added) in `dir`; answers its events, the wall
 * time from spawn to exit, `t0` (the spawn's Date.now()), and `spawnMs` and `exitMs` (nowMs()). `onSpawn(child)` sees the
 * process as soon as it exists (the memory figure polls it).
 */
export function replay(dir, args, { env = gitEnv, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const spawnMs = nowMs();
    const h0 = process.hrtime.bigint();
    // The command a user runs: bin/replay, the launcher npm installs (it starts node with
    // NODE_EXTRA_CA_CERTS deferred, see common/extra-ca.ts).
    const child = spawn(launcher, [...args, "--json"], { cwd: dir, env });
    onSpawn?.(child);
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = Number(process.hrtime.bigint() - h0) / 1e6;
      const exitMs = nowMs();
      const events = out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      if (code !== 0) {
        const said = events.filter((e) => e.type === "error" || e.type === "step.output").map((e) => e.message ?? e.line);
        return reject(new Error(`replay ${args.join(" ")} exited ${code}:\n${said.slice(-20).join("\n")}\n${err.slice(-2000)}`));
      }
      resolve({ t0, events, wallMs, spawnMs, exitMs });
    });
  });
}

/** The image replay runs `runs-on: ubuntu-latest` jobs in, from a replay's job.started event. */
export const jobImage = (events) => events.find((e) => e.type === "job.started").image;

/** Wall time of a command, in ms; throws when it fails. */
export function timeMs(cmd, args, opts = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", ...opts });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}): ${r.error?.message ?? ""}${r.stderr ?? ""}`);
  return ms;
}

/** Starts a labelled, idle container of `image` with `docker run -d … args`; removed by the returned cleanup. */
export function idleContainer(image, args = []) {
  const name = `replay-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  execFileSync("docker", ["run", "-d", "--rm", "--name", name, "--label", LABEL, ...args, image, "sleep", "3600"], { stdio: "ignore" });
  const remove = onCleanup(() => execFileSync("docker", ["rm", "-f", name], { stdio: "ignore" }));
  return { name, remove };
}

/** Workflow YAML of one job: `steps` are step bodies (YAML mappings as text, one line each). */
export const stepLines = (steps, indent = "      ") => steps.map((s) => `${indent}- ${s}`).join("\n");

/**
 * `count` containers of `image` running `command` (by default doing nothing), `parallel`
 * at a time: milliseconds, spawn to last exit.
 */
export async function dockerRuns(image, count, parallel, command = ["true"]) {
  const t = process.hrtime.bigint();
  let next = 0;
  const one = () =>
    new Promise((resolve, reject) => {
      const child = spawn("docker", ["run", "--rm", "--label", LABEL, image, ...command], { stdio: "ignore" });
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`docker run exited ${code}`))));
    });
  const worker = async () => {
    while (next < count) {
      next++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return Number(process.hrtime.bigint() - t) / 1e6;
}
