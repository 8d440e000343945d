// Which of the triggered jobs the hook replays. By default: every job that can run here
// as it would on GitHub — no deployment environment, no secret the user has not given
// replay, an image this machine has or can build. A job the user names runs whatever
// secrets it lacks (they asked for it), but never one that deploys or cannot run here.
import { foreignRunner, literalLabels, withNeeds } from "../../workflows/index.js";
import type { Job, Plan, PlannedWorkflow, Value, Workflow } from "../../workflows/index.js";

export interface JobChoiceOptions {
  /** Job ids from --jobs or .replay.yml's hook.jobs; undefined for the default choice. */
  chosen?: readonly string[] | undefined;
  /** Where `chosen` comes from, for the jobs it leaves out: "--jobs", ".replay.yml's hook.jobs". */
  chosenBy?: string | undefined;
  /** Names of the secrets the user supplied (`.secrets`, --secret-file). */
  secrets: readonly string[];
  /** runs-on label -> image (.replay.yml's images). */
  imageOverrides: Readonly<Record<string, string>>;
  /** Why the job's image cannot be had on this machine; undefined when it can. */
  imageProblem?: ((job: Job) => string | undefined) | undefined;
  /** Why a `uses:` job's called workflow cannot be replayed; undefined when it can. */
  callProblem?: ((workflow: Workflow, job: Job) => string | undefined) | undefined;
}

export interface SkippedJob {
  workflow: string;
  job: string;
  reason: string;
}

export interface JobChoice {
  /** The plan with only the jobs to replay; workflows left with none are dropped. */
  plan: Plan;
  skipped: SkippedJob[];
}

export function chooseJobs(plan: Plan, o: JobChoiceOptions): JobChoice {
  const skipped: SkippedJob[] = [];
  const workflows: PlannedWorkflow[] = [];
  for (const pw of plan.workflows) {
    const { workflow } = pw;
    const ids = new Set(pw.jobs.map((j) => j.id));
    const wanted = o.chosen === undefined ? ids : new Set(o.chosen.filter((id) => ids.has(id)).flatMap((id) => withNeeds(workflow, id).map((j) => j.id)));
    const left = new Map<string, string>();
    for (const job of pw.jobs) {
      if (!wanted.has(job.id)) {
        // Named, never silent: the user may not remember the setting that leaves it out.
        skipped.push({ workflow: workflow.file, job: job.id, reason: `not in ${o.chosenBy ?? "the jobs chosen"} (${(o.chosen ?? []).join(", ")})` });
        continue;
      }
      const reason = cannotRun(pw, job, o) ?? (o.chosen === undefined ? missingSecrets(pw, job, o.secrets) : undefined) ?? leftOutNeed(job, left);
      if (reason !== undefined) {
        left.set(job.id, reason);
        skipped.push({ workflow: workflow.file, job: job.id, reason });
      }
    }
    const jobs = pw.jobs.filter((j) => wanted.has(j.id) && !left.has(j.id));
    if (jobs.length) workflows.push({ ...pw, jobs });
  }
  return { plan: { ...plan, workflows }, skipped };
}

/** What stops the job from running here at all, chosen or not. */
function cannotRun(pw: PlannedWorkflow, job: Job, o: JobChoiceOptions): string | undefined {
  if (job.environment !== undefined && job.environment !== null) {
    return `deploys to environment '${environmentName(job.environment)}' (the hook never deploys)`;
  }
  const labels = literalLabels(job.runsOn);
  const mapped = labels?.some((l) => o.imageOverrides[l] !== undefined) ?? false;
  const foreign = labels === undefined ? undefined : foreignRunner(labels);
  if (job.uses === undefined && foreign !== undefined && !mapped) {
    return `not replayed here: ${foreign.system} runner ('${foreign.label}'; map it to a Linux image in .replay.yml's images to replay it)`;
  }
  if (job.uses === undefined && !mapped) {
    const image = o.imageProblem?.(job);
    if (image !== undefined) return image;
  }
  return job.uses === undefined ? undefined : o.callProblem?.(pw.workflow, job);
}

function leftOutNeed(job: Job, left: ReadonlyMap<string, string>): string | undefined {
  const need = job.needs.find((n) => left.has(n));
  return need === undefined ? undefined : `needs '${need}', which is left out`;
}

function missingSecrets(pw: PlannedWorkflow, job: Job, supplied: readonly string[]): string | undefined {
  const have = new Set(supplied.map((s) => s.toUpperCase()));
  const missing = [...secretsUsed(pw, job)].filter((s) => !have.has(s));
  if (missing.length === 0) return undefined;
  return `needs secret${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (put ${missing.length > 1 ? "them" : "it"} in .secrets to replay it)`;
}

// `secrets.NAME` and `secrets['NAME']`, wherever an expression may use them.
const SECRET_USE = /(?<![\w.])secrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*'([^']+)'\s*\])/gi;

/** Names of the secrets a job reads (upper-cased, as GitHub's names are), GITHUB_TOKEN aside. */
export function secretsUsed(pw: PlannedWorkflow, job: Job): Set<string> {
  const names = new Set<string>();
  const scan = (v: unknown): void => {
    if (typeof v === "string") {
      for (const m of v.matchAll(SECRET_USE)) names.add((m[1] ?? m[2] ?? "").toUpperCase());
    } else if (Array.isArray(v)) {
      v.forEach(scan);
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) if (k !== "keys" && k !== "pos") scan(x);
    }
  };
  scan(pw.workflow.env);
  scan(pw.workflow.defaults);
  scan(job);
  // `secrets: inherit` hands the called workflow every secret: what it reads is needed.
  const call = pw.calls?.[job.id];
  if (job.uses !== undefined && job.secrets === "inherit" && call !== undefined) {
    for (const j of call.called.jobs) for (const s of secretsUsed(call.called, j)) names.add(s);
  }
  names.delete("GITHUB_TOKEN");
  return names;
}

function environmentName(env: Value): string {
  if (typeof env === "string") return env;
  if (env !== null && typeof env === "object" && !Array.isArray(env) && typeof env["name"] === "string") return env["name"];
  return JSON.stringify(env);
}
