// One CI run as the diff sees it, whichever way it arrived: the REST API, the copy kept in
// .replay/ci/<run-id>/, or `gh run view --json jobs` output. The schemas keep what the
// diff reads and drop the rest; a response missing a field the diff needs is refused.
import * as z from "../common/zod.js";

export const apiStepSchema = z.object({
  name: z.string(),
  status: z.string(),
  conclusion: z.optional(z.nullable(z.string())),
  number: z.number(),
  started_at: z.optional(z.nullable(z.string())),
  completed_at: z.optional(z.nullable(z.string())),
});

export const apiJobSchema = z.object({
  id: z.number(),
  run_id: z.optional(z.number()),
  run_attempt: z.optional(z.number()),
  name: z.string(),
  status: z.string(),
  conclusion: z.optional(z.nullable(z.string())),
  head_sha: z.optional(z.string()),
  started_at: z.optional(z.nullable(z.string())),
  completed_at: z.optional(z.nullable(z.string())),
  html_url: z.optional(z.nullable(z.string())),
  labels: z.optional(z.array(z.string())),
  steps: z.optional(z.array(apiStepSchema)),
});

export const apiJobsPageSchema = z.object({ total_count: z.optional(z.number()), jobs: z.array(apiJobSchema) });

export const apiRunSchema = z.object({
  id: z.number(),
  name: z.optional(z.nullable(z.string())),
  head_branch: z.optional(z.nullable(z.string())),
  head_sha: z.string(),
  path: z.optional(z.string()),
  run_number: z.optional(z.number()),
  run_attempt: z.optional(z.number()),
  event: z.optional(z.string()),
  status: z.optional(z.nullable(z.string())),
  conclusion: z.optional(z.nullable(z.string())),
  html_url: z.optional(z.string()),
  created_at: z.optional(z.string()),
  run_started_at: z.optional(z.string()),
  updated_at: z.optional(z.string()),
});

export const apiRunsPageSchema = z.object({ total_count: z.optional(z.number()), workflow_runs: z.array(apiRunSchema) });

export type ApiRun = z.infer<typeof apiRunSchema>;
export type ApiJob = z.infer<typeof apiJobSchema>;

export interface CiStep {
  name: string;
  number: number;
  status: string;
  /** success, failure, skipped, cancelled…; undefined while running. */
  conclusion?: string;
  startedAt?: string;
  completedAt?: string;
}

export interface CiJob {
  id: number;
  name: string;
  status: string;
  conclusion?: string;
  startedAt?: string;
  completedAt?: string;
  url?: string;
  runAttempt?: number;
  steps: CiStep[];
  /** The job's plain-text log, when it could be fetched. */
  log?: string;
}

export interface CiRun {
  id: number;
  /** Where it came from, for the report: the API, the local copy, or an export folder. */
  source: "api" | "stored" | "export";
  workflowName?: string;
  /** `.github/workflows/x.yml` */
  workflowPath?: string;
  headSha?: string;
  headBranch?: string;
  event?: string;
  runNumber?: number;
  runAttempt?: number;
  conclusion?: string;
  url?: string;
  createdAt?: string;
  jobs: CiJob[];
}

const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/** Drops undefined values, so that objects built from optional fields fit exactOptionalPropertyTypes. */
export function defined<T extends object>(o: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function ciJobFromApi(j: ApiJob): CiJob {
  return defined<CiJob>({
    id: j.id,
    name: j.name,
    status: j.status,
    conclusion: opt(j.conclusion),
    startedAt: opt(j.started_at),
    completedAt: opt(j.completed_at),
    url: opt(j.html_url),
    runAttempt: j.run_attempt,
    steps: (j.steps ?? []).map((s) =>
      defined<CiStep>({ name: s.name, number: s.number, status: s.status, conclusion: opt(s.conclusion), startedAt: opt(s.started_at), completedAt: opt(s.completed_at) }),
    ),
  });
}

export function ciRunFromApi(run: ApiRun, jobs: readonly ApiJob[], source: CiRun["source"]): CiRun {
  return defined<CiRun>({
    id: run.id,
    source,
    workflowName: opt(run.name),
    workflowPath: run.path,
    headSha: run.head_sha,
    headBranch: opt(run.head_branch),
    event: run.event,
    runNumber: run.run_number,
    runAttempt: run.run_attempt,
    conclusion: opt(run.conclusion),
    url: run.html_url,
    createdAt: run.created_at,
    jobs: jobs.map(ciJobFromApi),
  });
}

/** Milliseconds between two API times, undefined when either is missing. */
export function spanMs(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
