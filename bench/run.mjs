#!/usr/bin/env node
// Measures replay against the floor: per-step overhead against raw `docker exec`s in one
// running container, and job start against a raw `docker run` of the same image. Prints
// a Markdown table of medians, each figure beside its reference and their ratio. The
// pre-push hook's figure (git push to verdict) comes from bench/hook.mjs.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hookFigure } from "./hook.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "dist/cli/main.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const STEPS = 20;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: "bench", GIT_AUTHOR_EMAIL: "b@e", GIT_COMMITTER_NAME: "bench", GIT_COMMITTER_EMAIL: "b@e", CI: "true" };

function makeRepo() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "replay-bench-"));
  mkdirSync(path.join(dir, ".github/workflows"), { recursive: true });
  const steps = Array.from({ length: STEPS }, (_, i) => `      - run: echo step ${i}`).join("\n");
  writeFileSync(path.join(dir, ".github/workflows/bench.yml"), `on: push\njobs:\n  steps:\n    runs-on: ubuntu-latest\n    steps:\n${steps}\n  one:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo one\n`);
  for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "bench"]]) execFileSync("git", args, { cwd: dir, env: gitEnv });
  return dir;
}

/** Runs a replay; answers its events and the wall time from spawn to each event. */
function replay(dir, job) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [cli, "job", job, "--json"], { cwd: dir, env: gitEnv });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const events = out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      if (code !== 0) return reject(new Error(`replay exited ${code}`));
      resolve({ t0, events, wallMs: Date.now() - t0 });
    });
  });
}

function timeMs(cmd, args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const dir = makeRepo();
try {
  // Warm-up: builds the image if needed, and finds its tag.
  const warm = await replay(dir, "one");
  const image = warm.events.find((e) => e.type === "job.started").image;

  const perStep = [];
  const jobStart = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await replay(dir, "steps");
    const steps = r.events.filter((e) => e.type === "step.completed");
    const first = Date.parse(steps[0].at) - steps[0].durationMs;
    const last = Date.parse(steps.at(-1).at);
    perStep.push((last - first) / steps.length);
    const s = await replay(dir, "one");
    const started = s.events.find((e) => e.type === "step.started");
    jobStart.push(Date.parse(started.at) - s.t0);
  }

  const rawExec = [];
  const rawRun = [];
  const name = `replay-bench-${process.pid}`;
  execFileSync("docker", ["run", "-d", "--rm", "--name", name, "--label", "dev.replay.bench=1", image, "sleep", "600"]);
  try {
    for (let i = 0; i < RUNS; i++) {
      let total = 0;
      for (let s = 0; s < STEPS; s++) total += timeMs("docker", ["exec", name, "bash", "-e", "-c", `echo step ${s}`]);
      rawExec.push(total / STEPS);
      rawRun.push(timeMs("docker", ["run", "--rm", image, "true"]));
    }
  } finally {
    execFileSync("docker", ["rm", "-f", name], { stdio: "ignore" });
  }

  const rows = [
    ["per-step overhead (job of 20 `run:` steps)", median(perStep), "raw `docker exec` of the same command", median(rawExec)],
    ["job start (command to first step running)", median(jobStart), "raw `docker run --rm … true`", median(rawRun)],
    await hookFigure({ cli, runs: RUNS }),
  ];
  const table = [
    `| figure | replay (ms) | reference | reference (ms) | ratio |`,
    `| --- | ---: | --- | ---: | ---: |`,
    ...rows.map(([what, a, ref, b]) => `| ${what} | ${a.toFixed(0)} | ${ref} | ${b.toFixed(0)} | ${(a / b).toFixed(2)}× |`),
  ].join("\n");
  console.log(`\nMedians of ${RUNS} runs on ${os.cpus().length} cores, image ${image}:\n\n${table}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
