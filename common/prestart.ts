// The first job container's start, asked of the engine before replay's code has loaded.
//
// Of a one-job replay's first second, the CLI spends ~350 ms (Node's start, loading its
// code, reading the repository, planning, checking images) before it asks the engine to
// create the job's container, which the engine then takes ~0.45 s to start. The same
// command in the same folder asks for the same container every time but for the run's own
// values: its id, its start time, its folder and the job's folder in it. So the CLI's entry
// (cli/main.ts) reads the request the last such replay made (kept by recordPrestart), fills
// in this run's values and sends it at once, create then start, while the rest loads; the
// run then takes those values as its own (takeRunTokens, takeJobToken).
//
// When the replay asks for its first job container, the runtime compares (claimPrestart):
// the same request, byte for byte, on the same engine, adopts the container already
// starting; any other removes it and creates the container as always. A job cannot see a
// difference: the container it gets is the one the replay would have created. Only a
// request of the shape replay makes for a plain job (no network of its own, binds under
// the run's folder or named volumes, no other host settings) is kept, and the entry checks
// it again before sending it. Unclaimed at the end of the command, it is removed
// (discardPrestart); it carries the run's labels, so the run's own clean-up and `replay gc`
// know it too. REPLAY_PRESTART=0 turns this off.
//
// This module is the CLI's entry's only import: node's own modules, nothing of replay's.
import { createHash, randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { mkdir, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { replayCacheDir } from "./cache-dir.js";
import { newRunId } from "./run-id.js";
import { mark } from "./trace.js";

/** A run's own values, which make its requests differ from the last run's. */
export interface RunTokens {
  runId: string;
  startedAt: Date;
  /** The run's folder, when the entry made it for the container it started. */
  runDir?: string;
}

/** The values in a kept request, and the marks that stand for them. */
export interface PrestartValues {
  runDir: string;
  runId: string;
  started: string;
  jobToken: string;
  /** The process's id (the label the reaper asks whether the run is alive by). */
  pid: string;
}
const MARKS: ReadonlyArray<[keyof PrestartValues, string]> = [
  // The run's folder first: it holds the run id.
  ["runDir", "@@replay:run-dir@@"],
  ["runId", "@@replay:run-id@@"],
  ["started", "@@replay:started@@"],
  ["jobToken", "@@replay:job@@"],
  ["pid", "@@replay:pid@@"],
];

/** A file the request depends on, as it was: its path, mtime and size, or null when absent. */
type FileState = [string, number, number] | [string, null];

interface Kept {
  v: 1;
  socketPath: string;
  /** The job whose container it is (its dev.replay.job label). */
  job: string;
  name: string;
  body: string;
  files: FileState[];
}

interface Pending {
  socketPath: string;
  name: string;
  body: string;
  runDir: string;
  /** The container's id, or undefined when the engine refused the create. */
  created: Promise<string | undefined>;
  started: Promise<void>;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** A kept request not used for this long (its folder gone, say) is removed as another is kept. */
const UNUSED_FOR_MS = 30 * 24 * 60 * 60 * 1000;
const EXIT_BY_SIGNAL: Record<(typeof SIGNALS)[number], number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

let key: string | undefined;
/** What the entry was started with, for prestartNext. */
let entry: { argv: readonly string[]; cwd: string; env: Readonly<Record<string, string | undefined>> } | undefined;
/** The file the entry's request came from. */
let keptPath: string | undefined;
let pending: Pending | undefined;
let tokens: (RunTokens & { jobToken: string; job: string }) | undefined;
let tokensTaken = false;
/** The folder token of the run's first job (the entry's job when it started one): only its container is adopted or kept. */
let firstJobToken: string | undefined;
let inputs: string[] | undefined;
/** Whether the first job's container was asked for (claimPrestart), and may be kept. */
let decided = false;
let recordable = false;
let removal: Promise<void> | undefined;
const onSignal = (signal: (typeof SIGNALS)[number]): void => {
  // Once the command has its own handler (a run's), the run's clean-up removes what carries its labels.
  if (process.listenerCount(signal) > 1) return;
  void discardPrestart().finally(() => process.exit(EXIT_BY_SIGNAL[signal]));
};

/** The variables a request may depend on: replay's own and the engine's (not the trace's file, nor this one's). */
function keyOf(argv: readonly string[], cwd: string, env: Readonly<Record<string, string | undefined>>): string {
  const vars = Object.entries(env)
    .filter(([k]) => /^(REPLAY_|DOCKER_|XDG_CACHE_HOME$|HOME$|TMPDIR$)/.test(k) && k !== "REPLAY_TRACE" && !k.startsWith("REPLAY_PRESTART"))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash("sha256").update(JSON.stringify({ argv, cwd, vars })).digest("hex").slice(0, 32);
}

function keptFile(k: string, env: Readonly<Record<string, string | undefined>>): string {
  return path.join(replayCacheDir("prestart", env), `${k}.json`);
}

function fileState(file: string): FileState {
  try {
    const s = statSync(file);
    return [file, s.mtimeMs, s.size];
  } catch {
    return [file, null];
  }
}

function isKept(v: unknown): v is Kept {
  const k = v as Partial<Kept> | null;
  return (
    typeof k === "object" &&
    k !== null &&
    k.v === 1 &&
    typeof k.socketPath === "string" &&
    typeof k.job === "string" &&
    typeof k.name === "string" &&
    typeof k.body === "string" &&
    Array.isArray(k.files) &&
    k.files.every((f) => Array.isArray(f) && typeof f[0] === "string")
  );
}

const TOP_KEYS = new Set(["Image", "Entrypoint", "Cmd", "Labels", "Env", "WorkingDir", "HostConfig"]);
const HOST_KEYS = new Set(["CpusetCpus", "NanoCpus", "Memory", "Binds", "ExtraHosts", "Init", "AutoRemove"]);
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Whether `body` is a request of the shape a plain job's container has, with binds only
 * under `runDir` or of named volumes, labelled as run `runId`'s: nothing else is sent early.
 */
export function isPlainJobRequest(body: unknown, runDir: string, runId: string): boolean {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  if (!Object.keys(b).every((k) => TOP_KEYS.has(k)) || typeof b["Image"] !== "string") return false;
  const labels = b["Labels"] as Record<string, unknown> | undefined;
  if (typeof labels !== "object" || labels === null || labels["dev.replay.run"] !== runId) return false;
  const host = b["HostConfig"];
  if (typeof host !== "object" || host === null) return false;
  const h = host as Record<string, unknown>;
  if (!Object.keys(h).every((k) => HOST_KEYS.has(k))) return false;
  const binds = h["Binds"] ?? [];
  if (!Array.isArray(binds)) return false;
  return binds.every((bind) => {
    if (typeof bind !== "string") return false;
    const source = bind.split(":")[0] ?? "";
    if (source.startsWith("/")) return path.normalize(source).startsWith(`${runDir}/`) && !source.split("/").includes("..");
    return VOLUME_NAME.test(source);
  });
}

function fill(text: string, values: PrestartValues): string {
  let out = text;
  for (const [k, markText] of MARKS) out = out.split(markText).join(values[k]);
  return out;
}

function dockerRequest(socketPath: string, method: string, url: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, method, path: url, headers: body === undefined ? {} : { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * The CLI's entry: when the last replay of this command here kept its first job
 * container's request, and what it was made from is unchanged, asks the engine to create
 * and start it now with this run's values. Never throws: anything amiss starts nothing.
 */
export function prestart(argv: readonly string[], cwd: string, env: Readonly<Record<string, string | undefined>>): void {
  if (env["REPLAY_PRESTART"] === "0") return;
  // As they are now: replay changes its own environment as it goes (extra-ca.ts, --context).
  entry = { argv: [...argv], cwd, env: { ...env } };
  try {
    key = keyOf(argv, cwd, env);
    const file = keptFile(key, env);
    const kept: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (!isKept(kept)) return;
    for (const f of kept.files) {
      const now = fileState(f[0]);
      if (now[1] !== f[1] || now[2] !== f[2]) return;
    }
    const runId = newRunId();
    const startedAt = new Date();
    const runDir = mkdtempSync(path.join(os.tmpdir(), `replay-${runId}-`));
    const jobToken = randomUUID().slice(0, 8);
    const values: PrestartValues = { runDir, runId, started: startedAt.toISOString(), jobToken, pid: String(process.pid) };
    const body = fill(kept.body, values);
    const name = fill(kept.name, values);
    if (!isPlainJobRequest(JSON.parse(body), runDir, runId)) {
      rmSync(runDir, { recursive: true, force: true });
      return;
    }
    // The job's folder, bind-mounted: the runner user (uid 1001) writes in it (job-environment.ts).
    const jobDir = path.join(runDir, `job-${jobToken}`);
    mkdirSync(jobDir);
    chmodSync(jobDir, 0o777);
    tokens = { runId, startedAt, runDir, jobToken, job: kept.job };
    const created = dockerRequest(kept.socketPath, "POST", `/containers/create?name=${encodeURIComponent(name)}`, body).then(
      (r) => (r.status === 201 ? (JSON.parse(r.text) as { Id: string }).Id : undefined),
      () => undefined,
    );
    const started = created.then(async (id) => {
      if (id === undefined) throw new Error("not created");
      mark("prestart created");
      const r = await dockerRequest(kept.socketPath, "POST", `/containers/${id}/start`);
      if (r.status !== 204 && r.status !== 304) throw new Error(`start answered ${r.status}: ${r.text.trim()}`);
      mark("prestart started");
    });
    started.catch(() => undefined);
    pending = { socketPath: kept.socketPath, name, body, runDir, created, started };
    keptPath = file;
    for (const s of SIGNALS) process.on(s, onSignal);
    mark("prestart asked");
  } catch {
    // No kept request (the first replay of this command here), or one that cannot be read.
  }
}

/**
 * For a command that replays again (`replay watch`), once a replay has ended: the next
 * replay's first job container, asked for now as the entry asked for the first one, so
 * that it is started when the next change comes. That replay takes its values.
 */
export function prestartNext(): void {
  if (!entry || pending) return;
  decided = false;
  recordable = false;
  firstJobToken = undefined;
  tokens = undefined;
  tokensTaken = false;
  prestart(entry.argv, entry.cwd, entry.env);
}

/**
 * The run's id and start time, and its folder when the entry made one: the entry's for the
 * first run of the process (its container carries them), new ones for every later run.
 */
export function takeRunTokens(): RunTokens {
  if (tokens && !tokensTaken) {
    tokensTaken = true;
    return { runId: tokens.runId, startedAt: tokens.startedAt, ...(tokens.runDir ? { runDir: tokens.runDir } : {}) };
  }
  return { runId: newRunId(), startedAt: new Date() };
}

/**
 * The name of job `jobKey`'s folder in the run's (`job-<token>`): the entry's when it
 * started this job's container, for the first of the run's jobs to ask or, when the entry
 * started one, for that job.
 */
export function takeJobToken(jobKey: string): string {
  if (firstJobToken === undefined && (!tokens || !tokensTaken || tokens.job === jobKey)) {
    firstJobToken = tokens && tokensTaken ? tokens.jobToken : randomUUID().slice(0, 8);
    return firstJobToken;
  }
  return randomUUID().slice(0, 8);
}

/** The files a run's first request is made from (its workflows, .replay.yml): kept with it. */
export function notePrestartInputs(files: readonly string[]): void {
  inputs ??= [...files];
}

/**
 * The first job's container (the job whose folder is `job-<jobToken>`, takeJobToken's
 * first): the started container when the entry's request is this one, on this engine;
 * else undefined once the entry's container (if any) is removed. Other jobs get undefined.
 */
export async function claimPrestart(socketPath: string, name: string, body: string, jobToken: string): Promise<{ id: string; started: Promise<void> } | undefined> {
  if (decided || jobToken !== firstJobToken) return undefined;
  decided = true;
  const p = pending;
  pending = undefined;
  stopWatchingSignals();
  if (p && p.socketPath === socketPath && p.name === name && p.body === body) {
    const id = await p.created;
    mark(id === undefined ? "prestart refused" : "prestart adopted");
    if (id !== undefined) {
      // Used: not one to remove as unused.
      if (keptPath) void utimes(keptPath, new Date(), new Date()).catch(() => undefined);
      return { id, started: p.started };
    }
  } else if (p) {
    mark("prestart differs");
    // Gone before the job's own is made: it has the job's name and shares the job's folder.
    removal = remove(p);
    await removal;
  }
  recordable = true;
  return undefined;
}

/** For a command that does not replay at once: nothing is adopted or kept, and the entry's container goes. */
export function forgoPrestart(): void {
  decided = true;
  void discardPrestart();
}

/** Removes the entry's container if nothing claimed it (and the run's folder, unless a job of the run has it). */
export function discardPrestart(): Promise<void> {
  const p = pending;
  pending = undefined;
  stopWatchingSignals();
  if (p) removal = remove(p);
  return removal ?? Promise.resolve();
}

function stopWatchingSignals(): void {
  for (const s of SIGNALS) process.off(s, onSignal);
}

async function remove(p: Pending): Promise<void> {
  const id = await p.created;
  // After its start has been answered: removed while starting, the engine may answer either first.
  await p.started.catch(() => undefined);
  if (id !== undefined) await dockerRequest(p.socketPath, "DELETE", `/containers/${id}?force=1&v=1`).catch(() => undefined);
  // A run that has a job running removes its folder itself.
  if (firstJobToken === undefined) rmSync(p.runDir, { recursive: true, force: true });
}

/**
 * Keeps the first job's container's request, this run's values marked, for the
 * next replay of the same command in the same folder: only the request claimPrestart was
 * first asked about and did not adopt, only of a plain job's shape, and only when the run
 * noted what it was made from.
 */
export async function recordPrestart(socketPath: string, name: string, body: string, values: PrestartValues, env: Readonly<Record<string, string | undefined>> = process.env): Promise<void> {
  if (!recordable || values.jobToken !== firstJobToken || key === undefined || inputs === undefined) return;
  recordable = false;
  try {
    const request: unknown = JSON.parse(body);
    // isPlainJobRequest checks the labels are there.
    if (!isPlainJobRequest(request, values.runDir, values.runId)) return;
    // A value JSON would escape would not be found in the text as it is.
    if (Object.values(values).some((v) => v === "" || JSON.stringify(v) !== `"${v}"`)) return;
    let markedBody = body;
    let markedName = name;
    for (const [k, markText] of MARKS) {
      markedBody = markedBody.split(values[k]).join(markText);
      markedName = markedName.split(values[k]).join(markText);
    }
    const job = (request as { Labels: Record<string, string | undefined> }).Labels["dev.replay.job"];
    if (job === undefined) return;
    const kept: Kept = { v: 1, socketPath, job, name: markedName, body: markedBody, files: inputs.map(fileState) };
    const file = keptFile(key, env);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, JSON.stringify(kept), { mode: 0o600 });
    const now = Date.now();
    for (const other of await readdir(path.dirname(file))) {
      const at = path.join(path.dirname(file), other);
      const s = await stat(at).catch(() => undefined);
      if (s && now - s.mtimeMs > UNUSED_FOR_MS) await rm(at, { force: true });
    }
  } catch {
    // Kept or not, this replay is the same: the next one creates its container as this one did.
  }
}
