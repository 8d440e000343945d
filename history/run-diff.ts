// Sets a recorded replay beside a CI run, job by job and step by step: results,
// durations, toolchains, the first differing log lines, and one verdict per difference.
// Pure: the caller brings both runs (and the workflow's step scripts when it has them).
import type { CiJob, CiRun, CiStep } from "./ci-run.js";
import { spanMs } from "./ci-run.js";
import { isBookkeeping, splitJobLog, stepHeader, stepOutput } from "./job-log.js";
import { firstDifference } from "./log-normalize.js";
import type { LogDifference } from "./log-normalize.js";
import { matchJobs, matchSteps } from "./name-matching.js";
import type { MatchedBy } from "./name-matching.js";
import type { JobMeta, RunMeta, StepMeta } from "./run-meta.js";
import type { StepScript } from "./step-markers.js";
import { scanToolchains } from "./toolchain-scanner.js";
import type { Toolchains } from "./toolchain-scanner.js";
import { asResult, oneSidedVerdict, resultVerdict, said, toolsOf, versionOf } from "./verdict.js";
import type { ToolVersions } from "./verdict.js";

export interface StepDiff {
  name: string;
  ci?: { number: number; name: string; result?: string; durationMs?: number };
  local?: { index: number; name: string; result?: string; durationMs?: number };
  matchedBy?: "name" | "position";
  /** The results differ, or only one side has the step. */
  differs: boolean;
  /** The toolchains the step uses, with the version each side saw. */
  tools: ToolVersions[];
  /** The first differing log lines, for a step whose result differs. */
  log?: LogDifference;
  logNote?: string;
  verdict?: string;
}


export interface ToolchainDiff {
  tool: string;
  ci: string[];
  local: string[];
  /** False only when both sides printed versions and they differ. */
  same: boolean;
}

export interface JobDiff {
  name: string;
  ci?: { id: number; name: string; result?: string; durationMs?: number; url?: string; runAttempt?: number };
  local?: { jobKey: string; name: string; result?: string; durationMs?: number; image?: string; reason?: string };
  matchedBy?: MatchedBy;
  toolchains: ToolchainDiff[];
  /** The runner image each side ran on: stated, never compared (replay's image stands in for GitHub's). */
  images: { ci: string[]; local: string[] };
  cacheHits: { ci: string[]; local: string[] };
  steps: StepDiff[];
  /** CI's runner bookkeeping with no counterpart in the replay (never "missing"). */
  setAside: string[];
  verdicts: string[];
}

export interface DiffReport {
  local: { runId?: string; sha?: string; ref?: string; event?: string; startedAt?: string; durationMs?: number; result?: string; workflows: string[] };
  ci: Omit<CiRun, "jobs">;
  warnings: string[];
  notes: string[];
  jobs: JobDiff[];
  /** CI's jobs the replay did not run (a `replay job` replays only some). */
  notReplayed: string[];
  /** Every verdict of every job, in order. */
  verdicts: string[];
}

export interface DiffInput {
  local: { meta: RunMeta; stepLog(jobKey: string, step: number): string[] };
  ci: CiRun;
  /** Only the replay's jobs of this workflow file (a replay may cover several). */
  workflowFile?: string;
  /** A job's steps' scripts, from the workflow (for splitting CI's log and naming tools). */
  scripts?: (workflowFile: string, jobId: string) => Map<string, StepScript>;
}






/** Not a toolchain: the images always differ (GitHub's VM image against replay's container image). */
const RUNNER_IMAGE = "runner-image";

function compareToolchains(ci: Toolchains, local: Toolchains): ToolchainDiff[] {
  const tools = [...new Set([...Object.keys(ci), ...Object.keys(local)])].filter((t) => t !== RUNNER_IMAGE);
  return tools.map((tool) => {
    const c = ci[tool] ?? [];
    const l = local[tool] ?? [];
    // A tool one side did not print is unknown there, not different.
    return { tool, ci: c, local: l, same: c.length === 0 || l.length === 0 || (c.length === l.length && c.every((v, i) => v === l[i])) };
  });
}

/** A job's own toolchains, with the run's for the tools the job did not print. */
function withFallback(own: Toolchains, run: Toolchains): Toolchains {
  return { ...run, ...own };
}

function mergeAll(parts: readonly Toolchains[]): Toolchains {
  const out: Toolchains = {};
  for (const p of parts) for (const [t, vs] of Object.entries(p)) for (const v of vs) if (!(out[t] ??= []).includes(v)) out[t].push(v);
  return out;
}

interface JobSides {
  ciJob?: CiJob;
  localJob?: JobMeta;
}

export function diffRuns(input: DiffInput): DiffReport {
  const { ci, local } = input;
  const meta = local.meta;
  const localJobs = meta.jobs.filter((j) => input.workflowFile === undefined || j.workflow === input.workflowFile);
  const warnings: string[] = [];
  const notes: string[] = [];
  const differentCommit = meta.sha !== undefined && ci.headSha !== undefined && !ci.headSha.startsWith(meta.sha) && !meta.sha.startsWith(ci.headSha);
  if (differentCommit) {
    warnings.push(
      `the replay ran commit ${meta.sha ?? "?"}, but CI's run ${ci.id} ran head_sha ${ci.headSha ?? "?"}: differences may come from the code, not only from the environment`,
    );
  }
  if (ci.runAttempt !== undefined && ci.runAttempt > 1) notes.push(`CI's run ${ci.id} is attempt ${ci.runAttempt}; its jobs are the latest attempt's`);

  // CI's toolchains, per job, read off the logs exactly as the replay's are read off its output.
  const ciToolchains = new Map<number, { toolchains: Toolchains; cacheHits: string[] }>();
  for (const j of ci.jobs) ciToolchains.set(j.id, j.log === undefined ? { toolchains: {}, cacheHits: [] } : scanToolchains(j.log.split(/\r?\n/)));
  const ciRunToolchains = mergeAll([...ciToolchains.values()].map((t) => t.toolchains));
  const localRunToolchains = mergeAll(localJobs.map((j) => j.toolchains));

  const pairing = matchJobs(ci.jobs, localJobs);
  const sides: (JobSides & { by?: MatchedBy })[] = [
    ...pairing.pairs.map((p) => ({ ciJob: p.ci, localJob: p.local, by: p.by })),
    ...pairing.localOnly.map((l) => ({ localJob: l })),
  ];
  const jobs = sides.map(({ ciJob, localJob, by }) => {
    const ciTc = ciJob ? (ciToolchains.get(ciJob.id) ?? { toolchains: {}, cacheHits: [] }) : { toolchains: {}, cacheHits: [] };
    return diffJob({
      ...(ciJob ? { ciJob } : {}),
      ...(localJob ? { localJob } : {}),
      ...(by ? { by } : {}),
      ciToolchains: withFallback(ciTc.toolchains, ciRunToolchains),
      ciCacheHits: ciTc.cacheHits,
      localToolchains: withFallback(localJob?.toolchains ?? {}, localRunToolchains),
      ownCiToolchains: ciTc.toolchains,
      differentCommit,
      stepLog: local.stepLog,
      scripts: localJob && input.scripts ? input.scripts(localJob.workflow, localJob.job) : new Map<string, StepScript>(),
      notes,
    });
  });
  const { jobs: _jobs, ...ciHead } = ci;
  return {
    local: {
      ...(meta.runId !== undefined ? { runId: meta.runId } : {}),
      ...(meta.sha !== undefined ? { sha: meta.sha } : {}),
      ...(meta.ref !== undefined ? { ref: meta.ref } : {}),
      ...(meta.event !== undefined ? { event: meta.event } : {}),
      ...(meta.startedAt !== undefined ? { startedAt: meta.startedAt } : {}),
      ...(meta.durationMs !== undefined ? { durationMs: meta.durationMs } : {}),
      ...(meta.result !== undefined ? { result: meta.result } : {}),
      workflows: input.workflowFile ? [input.workflowFile] : meta.workflows,
    },
    ci: ciHead,
    warnings,
    notes,
    jobs,
    notReplayed: pairing.ciOnly.map((j) => j.name),
    verdicts: jobs.flatMap((j) => j.verdicts),
  };
}

interface JobInput extends JobSides {
  by?: MatchedBy;
  ciToolchains: Toolchains;
  ownCiToolchains: Toolchains;
  ciCacheHits: string[];
  localToolchains: Toolchains;
  differentCommit: boolean;
  stepLog(jobKey: string, step: number): string[];
  scripts: Map<string, StepScript>;
  notes: string[];
}

function diffJob(o: JobInput): JobDiff {
  const { ciJob, localJob } = o;
  const name = ciJob?.name ?? localJob?.name ?? "?";
  const ciSteps = ciJob ? [...ciJob.steps].sort((a, b) => a.number - b.number) : [];
  const localSteps = localJob ? [...localJob.steps].sort((a, b) => a.index - b.index) : [];
  const sections = ciJob?.log === undefined ? new Map<number, string[]>() : splitJobLog(ciJob.log, ciSteps, (s) => (o.scripts.get(s.name) ? [o.scripts.get(s.name)?.marker ?? ""] : []));
  if (ciJob && ciJob.log === undefined) o.notes.push(`CI's log of job ${ciJob.name} is not available: steps are compared by result only`);

  const job: JobDiff = {
    name,
    toolchains: compareToolchains(o.ownCiToolchains, localJob?.toolchains ?? {}),
    images: { ci: o.ownCiToolchains[RUNNER_IMAGE] ?? [], local: localJob?.toolchains[RUNNER_IMAGE] ?? [] },
    cacheHits: { ci: o.ciCacheHits, local: localJob?.cacheHits ?? [] },
    steps: [],
    setAside: [],
    verdicts: [],
  };
  if (ciJob) {
    job.ci = { id: ciJob.id, name: ciJob.name };
    if (ciJob.conclusion !== undefined) job.ci.result = ciJob.conclusion;
    const d = spanMs(ciJob.startedAt, ciJob.completedAt);
    if (d !== undefined) job.ci.durationMs = d;
    if (ciJob.url !== undefined) job.ci.url = ciJob.url;
    if (ciJob.runAttempt !== undefined) job.ci.runAttempt = ciJob.runAttempt;
  }
  if (localJob) {
    job.local = { jobKey: localJob.jobKey, name: localJob.name };
    if (localJob.result !== undefined) job.local.result = localJob.result;
    if (localJob.durationMs !== undefined) job.local.durationMs = localJob.durationMs;
    if (localJob.image !== undefined) job.local.image = localJob.image;
    if (localJob.reason !== undefined) job.local.reason = localJob.reason;
  }
  if (o.by) job.matchedBy = o.by;

  if (!ciJob) {
    job.verdicts.push(`job ${name}: replayed (${said(localJob?.result)}), but CI's run has no such job: the workflow differs between CI's commit and the replay, or the job's name is evaluated differently`);
    return job;
  }
  if (!localJob) return job;

  const alignment = matchSteps(ciSteps, localSteps);
  job.setAside = alignment.setAside.map((s) => s.name);
  const ciFailedBefore = (s: CiStep): CiStep | undefined => ciSteps.find((x) => x.number < s.number && asResult(x.conclusion) === "failure");
  const localFailedBefore = (s: StepMeta): StepMeta | undefined => localSteps.find((x) => x.index < s.index && x.result === "failure");

  for (const pair of alignment.steps) {
    const c = pair.ci;
    const l = pair.local;
    // A replay's own Post step with no CI counterpart is bookkeeping too.
    if (!c && l && isBookkeeping(l.name)) continue;
    const section = c ? sections.get(c.number) : undefined;
    const script = o.scripts.get(c?.name ?? l?.name ?? "");
    const tools = toolsOf([c?.name ?? "", l?.name ?? ""], [...(section ? stepHeader(section) : []), script?.text ?? ""]).map((tool) => {
      const t: ToolVersions = { tool };
      const cv = versionOf(o.ciToolchains, tool);
      const lv = versionOf(o.localToolchains, tool);
      if (cv !== undefined) t.ci = cv;
      if (lv !== undefined) t.local = lv;
      return t;
    });
    const step: StepDiff = { name: c?.name ?? l?.name ?? "?", differs: false, tools };
    if (c) {
      step.ci = { number: c.number, name: c.name };
      if (c.conclusion !== undefined) step.ci.result = c.conclusion;
      const d = spanMs(c.startedAt, c.completedAt);
      if (d !== undefined) step.ci.durationMs = d;
    }
    if (l) {
      step.local = { index: l.index, name: l.name };
      if (l.result !== undefined) step.local.result = l.result;
      if (l.durationMs !== undefined) step.local.durationMs = l.durationMs;
    }
    if (pair.by) step.matchedBy = pair.by;

    if (c && !l) {
      step.differs = true;
      step.verdict = oneSidedVerdict(c.name, "ci", c.conclusion, o.differentCommit);
    } else if (l && !c) {
      step.differs = true;
      step.verdict = oneSidedVerdict(l.name, "local", l.result, o.differentCommit);
    } else if (c && l && asResult(c.conclusion) !== l.result) {
      step.differs = true;
      const ciResult = asResult(c.conclusion);
      const localLog = o.stepLog(localJob.jobKey, l.index);
      const failedCi = ciFailedBefore(c)?.name;
      const failedLocal = localFailedBefore(l)?.name;
      step.verdict = resultVerdict({
        name: c.name,
        ci: c.conclusion,
        local: l.result,
        tools,
        ...(failedCi === undefined ? {} : { ciFailedBefore: failedCi }),
        ...(failedLocal === undefined ? {} : { localFailedBefore: failedLocal }),
        replayCannotRun: localLog.some((x) => x.startsWith("##[error]replay cannot")),
        differentCommit: o.differentCommit,
      });
      if (ciResult === "skipped" || l.result === "skipped") {
        step.logNote = `${ciResult === "skipped" ? "skipped on CI" : "skipped locally"}: no log to compare`;
      } else if (!section) {
        step.logNote = ciJob.log === undefined ? "CI's log is not available" : "CI's log for this step could not be told apart";
      } else {
        const diff = firstDifference(stepOutput(section), localLog);
        if (diff) step.log = diff;
        else step.logNote = "the logs are the same after normalisation";
      }
    }
    job.steps.push(step);
    if (step.verdict) job.verdicts.push(step.verdict);
  }

  const ciResult = asResult(ciJob.conclusion);
  if (ciResult !== localJob.result && job.verdicts.length === 0) {
    job.verdicts.push(`job ${name}: ${said(ciJob.conclusion)} on CI, ${said(localJob.result)} locally${localJob.reason ? ` (${localJob.reason})` : ""}`);
  }
  return job;
}
