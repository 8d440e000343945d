// The `run` tool of `replay mcp`: one job (or matrix cell) replayed with a collecting
// reporter (nothing reaches stdout, which carries the protocol), bounded by a timeout
// and refused when the pre-push hook's rules would not run it (it deploys, or needs a
// secret the user has not given replay).
import { UsageError } from "../../common/index.js";
import { parseMatrixSelectors, planJob } from "../../workflows/index.js";
import type { ReplayEvent, Reporter } from "../../runners/index.js";
import { loadRepo } from "../load-repo.js";
import { readReplayConfig } from "../replay-config.js";
import { chooseJobs } from "../hook/job-choice.js";
import { readSecrets } from "./secret-sources.js";
import { replayCommand } from "./replay-command.js";

export const DEFAULT_TIMEOUT_SECONDS = 600;
export const MAX_TIMEOUT_SECONDS = 3600;

export interface McpRunArgs {
  dir: string;
  job: string;
  workflow?: string | undefined;
  event?: string | undefined;
  matrix?: string[] | undefined;
  timeoutSeconds?: number | undefined;
  logLines?: number | undefined;
}

export interface McpRunResult {
  verdict: "success" | "failure" | "cancelled" | "timeout";
  runId?: string;
  exitCode: number;
  jobs: { name: string; result: string; reason?: string }[];
  failingStep?: { job: string; step: number; name: string; lastLines: string[] };
  annotations: { level: string; message: string; file?: string; line?: number; col?: number }[];
}

/** Keeps the run's events (already masked at the run's gate) for the tool's answer. */
class CollectingReporter implements Reporter {
  readonly events: ReplayEvent[] = [];
  onEvent(event: ReplayEvent): void {
    this.events.push(event);
  }
  async close(): Promise<void> {}
}

/** Refuses, before anything starts, a job the hook would not replay. */
async function refuseUnsafe(a: McpRunArgs): Promise<void> {
  const { repo, loaded } = await loadRepo(a.dir, a.workflow);
  const plan = planJob(loaded.workflows, a.job, a.event ?? "push", parseMatrixSelectors(a.matrix ?? []));
  const config = await readReplayConfig(repo.dir);
  const secrets = await readSecrets(repo.dir, { secret: [] });
  const choice = chooseJobs(plan, { secrets: Object.keys(secrets), imageOverrides: config.images ?? {} });
  if (choice.skipped.length) {
    throw new UsageError(
      `replay mcp does not run ${choice.skipped.map((s) => `'${s.job}' (${s.reason})`).join(", ")}`,
      "an agent's replay never deploys nor runs a job without its secrets; run it yourself with `replay job` if you mean to",
    );
  }
}

export async function mcpRun(a: McpRunArgs): Promise<McpRunResult> {
  const timeoutSeconds = Math.min(a.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS);
  await refuseUnsafe(a);
  const collector = new CollectingReporter();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutSeconds * 1000);
  let runId: string | undefined;
  let exitCode: number;
  try {
    exitCode = await replayCommand({
      dir: a.dir,
      ...(a.workflow === undefined ? {} : { workflow: a.workflow }),
      event: a.event ?? "push",
      job: a.job,
      matrix: a.matrix ?? [],
      input: [],
      secret: [],
      var: [],
      image: [],
      from: "worktree",
      parallel: 2,
      keep: false,
      environments: [],
      pull: false,
      reporters: [collector],
      signal: controller.signal,
      onRunId: (id) => (runId = id),
    });
  } finally {
    clearTimeout(timer);
  }
  return summarize(collector.events, { exitCode, timedOut, runId, logLines: a.logLines ?? 50 });
}

function summarize(events: readonly ReplayEvent[], o: { exitCode: number; timedOut: boolean; runId: string | undefined; logLines: number }): McpRunResult {
  const lines = new Map<string, string[]>();
  const result: McpRunResult = { verdict: "success", exitCode: o.exitCode, jobs: [], annotations: [] };
  if (o.runId !== undefined) result.runId = o.runId;
  const names = new Map<string, string>();
  for (const e of events) {
    if (e.type === "job.started") names.set(e.jobKey, e.name);
    else if (e.type === "step.output") {
      const key = `${e.jobKey}\0${e.step}`;
      const l = lines.get(key) ?? [];
      l.push(e.line);
      if (l.length > o.logLines) l.shift();
      lines.set(key, l);
    } else if (e.type === "step.annotation") {
      result.annotations.push({ level: e.level, message: e.message, ...(e.file ? { file: e.file } : {}), ...(e.line ? { line: e.line } : {}), ...(e.col ? { col: e.col } : {}) });
    } else if (e.type === "step.completed" && e.outcome === "failure" && result.failingStep === undefined) {
      result.failingStep = { job: names.get(e.jobKey) ?? e.jobKey, step: e.step, name: e.name, lastLines: lines.get(`${e.jobKey}\0${e.step}`) ?? [] };
    } else if (e.type === "job.completed") {
      result.jobs.push({ name: e.name, result: e.result, ...(e.reason ? { reason: e.reason } : {}) });
    } else if (e.type === "run.completed") {
      result.verdict = e.result === "success" ? "success" : e.result === "cancelled" ? "cancelled" : "failure";
    }
  }
  if (o.timedOut) result.verdict = "timeout";
  else if (o.exitCode !== 0 && result.verdict === "success") result.verdict = "failure";
  return result;
}

