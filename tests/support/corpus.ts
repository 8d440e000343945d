// Runs the acceptance corpus (../shared/corpus) exactly as its README says: each case's
// repo/ copied to a fresh folder, `git init -b main`, one commit, then each replay of
// expect.yml through the built CLI with --json, compared with what it expects.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CORPUS_DIR = path.resolve(PROJECT_ROOT, "../shared/corpus");
export const CLI = path.join(PROJECT_ROOT, "dist/cli/main.js");

export interface ExpectedStep {
  name: string;
  result?: string;
  outcome?: string;
  log_contains?: string[];
  log_excludes?: string[];
}

export interface ExpectedJob {
  job: string;
  matrix?: Record<string, unknown>;
  name?: string;
  result?: string;
  outputs?: Record<string, string>;
  steps?: ExpectedStep[];
}

export interface ExpectedReplay {
  name: string;
  args: string[];
  env?: Record<string, string>;
  exit: number;
  jobs?: ExpectedJob[];
  not_run?: string[];
  counts?: Record<string, number>;
  error_contains?: string[];
}

export interface CorpusCase {
  name: string;
  dir: string;
  description: string;
  toolchains: string[];
  replays: ExpectedReplay[];
}

export function corpusCases(): CorpusCase[] {
  return readdirSync(CORPUS_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(CORPUS_DIR, e.name, "expect.yml")))
    .map((e) => {
      const dir = path.join(CORPUS_DIR, e.name);
      const doc = parse(readFileSync(path.join(dir, "expect.yml"), "utf8")) as Omit<CorpusCase, "name" | "dir">;
      return { name: e.name, dir, ...doc };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: "Corpus Tester",
  GIT_AUTHOR_EMAIL: "corpus@example.com",
  GIT_COMMITTER_NAME: "Corpus Tester",
  GIT_COMMITTER_EMAIL: "corpus@example.com",
};

/**
 * Builds a case's stand-ins for public images (images/<name>/Dockerfile, tagged with the
 * name in its `tag` file) from replay's local base, as the corpus README says.
 */
export function buildCaseImages(c: CorpusCase, baseImage = "replay-base:bookworm"): string[] {
  const dir = path.join(c.dir, "images");
  if (!existsSync(dir)) return [];
  const tags: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).filter((x) => x.isDirectory())) {
    const ctx = path.join(dir, e.name);
    const tag = readFileSync(path.join(ctx, "tag"), "utf8").trim();
    execFileSync("docker", ["build", "-q", "--build-arg", `BASE_IMAGE=${baseImage}`, "-t", tag, ctx], { stdio: "pipe" });
    tags.push(tag);
  }
  return tags;
}

/** A fresh git repository holding the case's repo/ as one commit on main. */
export function checkoutCase(c: CorpusCase): { dir: string; dispose: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), `corpus-${c.name}-`));
  const dir = path.join(root, c.name);
  cpSync(path.join(c.dir, "repo"), dir, { recursive: true });
  const git = (...args: string[]): void => {
    execFileSync("git", args, { cwd: dir, env: { ...process.env, ...GIT_ENV }, stdio: "pipe" });
  };
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", `corpus case ${c.name}`);
  // The corpus files are read-only; make the copy removable.
  execFileSync("chmod", ["-R", "u+w", dir]);
  return { dir, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  events: Record<string, unknown>[];
}

function parseEvents(stdout: string): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not an event line
    }
  }
  return events;
}

/** For quick commands only (list, validate): it blocks the test worker while it runs. */
export function runCliSync(args: string[], cwd: string, env: Record<string, string> = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, ...GIT_ENV, CI: "true", ...env },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return { exitCode: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, events: parseEvents(r.stdout) };
}

/**
 * Runs the built CLI without blocking the test worker: a replay can take minutes, and a
 * worker blocked that long misses vitest's own heartbeats.
 */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, ...GIT_ENV, CI: "true", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? -1, stdout, stderr, events: parseEvents(stdout) }));
  });
}

/** Values compared as YAML gives them, but `'18'` from a quoted list equals "18". */
const sameMatrix = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a ?? null, b ?? null);

/** Every way a replay's output differs from expect.yml; empty when it matches. */
export function compareReplay(expected: ExpectedReplay, run: CliRun): string[] {
  const problems: string[] = [];
  if (run.exitCode !== expected.exit) problems.push(`exit ${run.exitCode}, expected ${expected.exit}`);
  const completed = run.events.filter((e) => e["type"] === "job.completed");
  const started = run.events.filter((e) => e["type"] === "job.started");
  for (const ej of expected.jobs ?? []) {
    const candidates = completed.filter((e) => e["job"] === ej.job && (ej.matrix === undefined || sameMatrix(e["matrix"], ej.matrix)));
    const desc = `${ej.job}${ej.matrix ? ` ${JSON.stringify(ej.matrix)}` : ""}`;
    if (candidates.length !== 1) {
      const seen = completed.filter((e) => e["job"] === ej.job).map((e) => JSON.stringify(e["matrix"]));
      problems.push(`job ${desc}: ${candidates.length} completed cells match (cells seen: ${seen.join(" ") || "none"})`);
      continue;
    }
    const job = candidates[0] as Record<string, unknown>;
    if (ej.name !== undefined && job["name"] !== ej.name) problems.push(`job ${desc}: name ${JSON.stringify(job["name"])}, expected ${JSON.stringify(ej.name)}`);
    if (ej.result !== undefined && job["result"] !== ej.result) problems.push(`job ${desc}: result ${String(job["result"])}, expected ${ej.result}${job["reason"] ? ` (${String(job["reason"])})` : ""}`);
    if (ej.outputs !== undefined && !isDeepStrictEqual(job["outputs"], ej.outputs)) problems.push(`job ${desc}: outputs ${JSON.stringify(job["outputs"])}, expected ${JSON.stringify(ej.outputs)}`);
    const jobKey = job["jobKey"];
    const steps = run.events.filter((e) => e["type"] === "step.completed" && e["jobKey"] === jobKey);
    let from = 0;
    for (const es of ej.steps ?? []) {
      const at = steps.findIndex((s, i) => i >= from && s["name"] === es.name);
      if (at < 0) {
        problems.push(`job ${desc}: no step '${es.name}' (in order) among ${steps.map((s) => `'${String(s["name"])}'`).join(", ")}`);
        continue;
      }
      from = at + 1;
      const step = steps[at] as Record<string, unknown>;
      if (es.result !== undefined && step["result"] !== es.result) problems.push(`job ${desc} step '${es.name}': result ${String(step["result"])}, expected ${es.result}`);
      if (es.outcome !== undefined && step["outcome"] !== es.outcome) problems.push(`job ${desc} step '${es.name}': outcome ${String(step["outcome"])}, expected ${es.outcome}`);
      const log = run.events
        .filter((e) => e["type"] === "step.output" && e["jobKey"] === jobKey && e["step"] === step["step"])
        .map((e) => String(e["line"]))
        .join("\n");
      for (const s of es.log_contains ?? []) if (!log.includes(s)) problems.push(`job ${desc} step '${es.name}': log lacks ${JSON.stringify(s)}; log:\n${log}`);
      for (const s of es.log_excludes ?? []) if (log.includes(s)) problems.push(`job ${desc} step '${es.name}': log contains ${JSON.stringify(s)}`);
    }
  }
  for (const id of expected.not_run ?? []) {
    if (started.some((e) => e["job"] === id) || completed.some((e) => e["job"] === id)) problems.push(`job ${id} ran but must not`);
  }
  for (const [id, n] of Object.entries(expected.counts ?? {})) {
    const got = started.filter((e) => e["job"] === id).length;
    if (got !== n) problems.push(`job ${id}: ${got} cells ran, expected ${n}`);
  }
  const text = `${run.stdout}\n${run.stderr}`;
  for (const s of expected.error_contains ?? []) if (!text.includes(s)) problems.push(`output lacks ${JSON.stringify(s)}`);
  return problems;
}
