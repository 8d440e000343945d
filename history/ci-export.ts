// `--ci-export DIR`: a CI run exported with gh instead of fetched by replay, for machines
// where replay has no token but gh works, or for a run copied from elsewhere:
//
//   gh run view RUN --json jobs,databaseId,headSha,headBranch,workflowName,url > DIR/run.json
//   gh run view RUN --log > DIR/run.log            (or one DIR/<job-id>.txt per job)
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import * as z from "../common/zod.js";
import { UsageError } from "../common/index.js";
import { apiJobSchema, ciJobFromApi, defined } from "./ci-run.js";
import type { CiJob, CiRun, CiStep } from "./ci-run.js";

const ghStepSchema = z.object({
  name: z.string(),
  status: z.string(),
  conclusion: z.optional(z.nullable(z.string())),
  number: z.number(),
  startedAt: z.optional(z.nullable(z.string())),
  completedAt: z.optional(z.nullable(z.string())),
});

const ghJobSchema = z.object({
  databaseId: z.number(),
  name: z.string(),
  status: z.string(),
  conclusion: z.optional(z.nullable(z.string())),
  startedAt: z.optional(z.nullable(z.string())),
  completedAt: z.optional(z.nullable(z.string())),
  url: z.optional(z.nullable(z.string())),
  steps: z.optional(z.array(ghStepSchema)),
});

const ghRunSchema = z.object({
  jobs: z.array(z.union([ghJobSchema, apiJobSchema])),
  databaseId: z.optional(z.number()),
  headSha: z.optional(z.string()),
  headBranch: z.optional(z.string()),
  workflowName: z.optional(z.string()),
  event: z.optional(z.string()),
  number: z.optional(z.number()),
  attempt: z.optional(z.number()),
  conclusion: z.optional(z.nullable(z.string())),
  url: z.optional(z.string()),
  createdAt: z.optional(z.string()),
});

type GhJob = z.infer<typeof ghJobSchema>;

const emptyless = (v: string | null | undefined): string | undefined => (v === null || v === "" ? undefined : v);

function fromGhJob(j: GhJob): CiJob {
  return defined<CiJob>({
    id: j.databaseId,
    name: j.name,
    status: j.status,
    conclusion: emptyless(j.conclusion),
    // gh prints the zero time for a job that has not started.
    startedAt: emptyless(j.startedAt)?.startsWith("0001-") ? undefined : emptyless(j.startedAt),
    completedAt: emptyless(j.completedAt)?.startsWith("0001-") ? undefined : emptyless(j.completedAt),
    url: emptyless(j.url),
    steps: (j.steps ?? []).map((s) =>
      defined<CiStep>({ name: s.name, number: s.number, status: s.status, conclusion: emptyless(s.conclusion), startedAt: emptyless(s.startedAt), completedAt: emptyless(s.completedAt) }),
    ),
  });
}

/** `gh run view --log` lines: `<job>\t<step>\t<line>`; grouped into one log per job. */
export function splitGhRunLog(text: string): Map<string, string> {
  const byJob = new Map<string, string[]>();
  for (const line of text.split(/\r?\n/)) {
    const first = line.indexOf("\t");
    const second = first < 0 ? -1 : line.indexOf("\t", first + 1);
    if (second < 0) continue;
    const job = line.slice(0, first);
    let lines = byJob.get(job);
    if (!lines) byJob.set(job, (lines = []));
    lines.push(line.slice(second + 1));
  }
  return new Map([...byJob].map(([job, lines]) => [job, `${lines.join("\n")}\n`]));
}

const safeName = (s: string): string => s.replace(/[^A-Za-z0-9_.() -]+/g, "_");

export async function readCiExport(dir: string): Promise<CiRun> {
  const entries = await readdir(dir).catch((cause: unknown) => {
    throw new UsageError(`--ci-export ${dir}: cannot read the folder`, { hint: "give the folder holding the output of `gh run view RUN --json jobs` (run.json) and the logs", cause });
  });
  const jsonFiles = entries.filter((e) => e.endsWith(".json")).sort((a, b) => Number(b === "run.json") - Number(a === "run.json") || Number(b === "jobs.json") - Number(a === "jobs.json"));
  let parsed: z.infer<typeof ghRunSchema> | undefined;
  let problem = "";
  for (const f of jsonFiles) {
    const text = await readFile(path.join(dir, f), "utf8");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      problem ||= `${f} is not JSON`;
      continue;
    }
    const r = ghRunSchema.safeParse(json);
    if (r.success) {
      parsed = r.data;
      break;
    }
    problem ||= `${f}: ${r.error.issues[0]?.path.join(".") ?? ""} ${r.error.issues[0]?.message ?? ""}`.trim();
  }
  if (!parsed) {
    throw new UsageError(`--ci-export ${dir}: no file there holds a run's jobs${problem ? ` (${problem})` : ""}`, {
      hint: "write it with `gh run view RUN --json jobs,databaseId,headSha,headBranch,workflowName,url > DIR/run.json`",
    });
  }

  const logTexts = new Map<string, string>();
  for (const f of entries.filter((e) => /\.(txt|log)$/.test(e))) logTexts.set(f, await readFile(path.join(dir, f), "utf8"));
  const ghLogs = new Map<string, string>();
  for (const text of logTexts.values()) for (const [job, log] of splitGhRunLog(text)) if (!ghLogs.has(job)) ghLogs.set(job, log);

  const jobs = parsed.jobs.map((j) => {
    const job = "databaseId" in j ? fromGhJob(j) : ciJobFromApi(j);
    const candidates = [`${job.id}`, `job-${job.id}`, safeName(job.name)].flatMap((b) => [`${b}.txt`, `${b}.log`]);
    const file = candidates.find((c) => logTexts.has(c));
    const log = file === undefined ? ghLogs.get(job.name) : logTexts.get(file);
    return log === undefined ? job : { ...job, log };
  });
  const headSha = parsed.headSha ?? (parsed.jobs.find((j): j is z.infer<typeof apiJobSchema> => "head_sha" in j)?.head_sha);
  return defined<CiRun>({
    id: parsed.databaseId ?? 0,
    source: "export",
    workflowName: parsed.workflowName,
    headSha,
    headBranch: parsed.headBranch,
    event: parsed.event,
    runNumber: parsed.number,
    runAttempt: parsed.attempt,
    conclusion: emptyless(parsed.conclusion),
    url: parsed.url,
    createdAt: parsed.createdAt,
    jobs,
  });
}
