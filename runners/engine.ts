import { ReplayError, WorkflowInvalidError } from "../common/index.js";
import {
  cellDisplayName,
  evaluateConditionAsync,
  evaluateTemplateAsync,
  expandMatrix,
  findExpressions,
  interpolateAsync,
  selectCells,
} from "../workflows/index.js";
import type { EvalOptions, Job, Plan, PlannedWorkflow, Value, ValueMap } from "../workflows/index.js";
import { githubContext, needsValue, runnerPaths } from "./contexts.js";
import type { NeedsContext } from "./contexts.js";
import type { JobResult, RunResult } from "./events.js";
import { runJobCell, warmJobCell } from "./job/index.js";
import type { CellOutcome, JobRunDeps, WarmJob } from "./job/index.js";
import { Semaphore } from "./semaphore.js";
import { EnginePool } from "./engine-pool.js";
import type { JobEngine } from "./engine-pool.js";
import { JobKeys } from "./job-keys.js";
import { WarmStarts, canWarm } from "./warm-starts.js";
import { runCallCell } from "./reusable-workflow.js";
import { evaluateDeep } from "./evaluate-deep.js";
import { NotReplayedError, combinedResult, notReplayedNeed } from "./not-replayed.js";

export interface EngineOptions {
  /** How many job containers run at once across the run. */
  parallel: number;
  /** The image for a job's evaluated `runs-on` labels; throws a ReplayError when there is none. */
  imageFor: (labels: string[], job: Job) => Promise<string>;
  /** The image imageFor would answer, only if it is here already: for warm starts (none without it). */
  presentImageFor?: (labels: string[], job: Job) => Promise<string | undefined>;
  /** Aborted on Ctrl-C: running steps are stopped, nothing new starts. */
  signal: AbortSignal;
  /** The deploy guard: a job with `environment:` runs only when its environment is named here. */
  environments?: string[];
  /** --strict: a job replay cannot run here (a macOS or Windows runner) fails rather than being not replayed. */
  strict?: boolean;
  /**
   * Several engines (`--engine`): each job cell runs on the one with the most free slots,
   * with its images and its own part of the deps; `parallel`, `imageFor` and
   * `presentImageFor` are then each engine's. Without it, one engine: the deps' own.
   */
  engines?: readonly JobEngine[];
}

export interface EngineResult {
  result: RunResult;
  exitCode: number;
  jobs: Record<string, JobSummary>;
}

interface JobSummary {
  result: JobResult;
  outputs: Record<string, string>;
}

/** Runs a plan: jobs in `needs` order, independent jobs and matrix cells in parallel. */
export async function runPlan(plan: Plan, deps: JobRunDeps, options: EngineOptions): Promise<EngineResult> {
  const given = options.engines ?? [];
  const slots = new EnginePool(
    given.length
      ? given
      : [{ name: "", slots: Math.max(1, options.parallel), deps: {}, imageFor: options.imageFor, ...(options.presentImageFor ? { presentImageFor: options.presentImageFor } : {}) }],
  );
  const warming = new WarmStarts<JobEngine>((e) => slots.freeOn(e));
  const keys = new JobKeys(plan.workflows.length > 1);
  const all: Record<string, JobSummary> = {};
  // Jobs clean up in the background (a container's removal is 150 ms or more); the run
  // is not over until every clean-up is.
  const cleanups: Promise<void>[] = [];
  const withCleanups: JobRunDeps = { ...deps, deferCleanup: (p) => void cleanups.push(p.catch(() => undefined)) };
  try {
    await Promise.all(
      plan.workflows.map(async (pw) => {
        const results = await runWorkflow(pw, withCleanups, options, slots, keys, warming);
        for (const [id, r] of Object.entries(results)) all[`${pw.workflow.file}:${id}`] = r;
      }),
    );
  } finally {
    await Promise.all(cleanups);
  }
  const results = Object.values(all).map((r) => r.result);
  // A run cancelled from outside concludes cancelled, as on GitHub, whatever failed before.
  const result: RunResult = options.signal.aborted
    ? "cancelled"
    : results.includes("failure")
      ? "failure"
      : results.includes("cancelled")
        ? "cancelled"
        : "success";
  return { result, exitCode: options.signal.aborted ? 130 : result === "failure" ? 1 : result === "cancelled" ? 1 : 0, jobs: all };
}

async function runWorkflow(
  pw: PlannedWorkflow,
  deps: JobRunDeps,
  options: EngineOptions,
  slots: EnginePool,
  keys: JobKeys,
  warming: WarmStarts<JobEngine>,
): Promise<Record<string, JobSummary>> {
  const { workflow } = pw;
  const byId = new Map(pw.jobs.map((j) => [j.id, j]));
  const promises = new Map<string, Promise<JobSummary>>();
  const summaries: Record<string, JobSummary> = {};

  const ancestorsOf = (job: Job, into = new Set<string>()): Set<string> => {
    for (const n of job.needs) {
      if (into.has(n)) continue;
      into.add(n);
      const dep = byId.get(n);
      if (dep) ancestorsOf(dep, into);
    }
    return into;
  };

  // The github context a job's `if`, name and matrix see: the one its steps see
  // (contexts.ts), a pull request's merge ref included, without the steps' own fields.
  const githubOf = (job: Job): ValueMap =>
    githubContext({
      repo: deps.repo,
      run: deps.run,
      eventName: deps.eventName,
      payload: deps.payload,
      workflowName: deps.githubWorkflow?.name ?? workflow.name,
      workflowFile: deps.githubWorkflow?.file ?? workflow.file,
      jobId: job.id,
      paths: runnerPaths(deps.repo.name, job.container === undefined ? "runner" : "container"),
      ...(deps.baseBranch === undefined ? {} : { baseBranch: deps.baseBranch }),
    });
  const baseContexts = (job: Job, needs: NeedsContext): EvalOptions["contexts"] => ({
    github: githubOf(job),
    needs: needsValue(needs),
    vars: deps.vars,
    inputs: deps.inputs as Value,
  });

  // Settles when a job's first cell gets its slot or its container begins to warm up, or
  // when the job ends without either: the jobs that need it warm up then, so a chain's
  // containers start together.
  const startedSignals = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  const startedOf = (id: string): { promise: Promise<void>; resolve: () => void } => {
    let s = startedSignals.get(id);
    if (!s) {
      let resolve = (): void => undefined;
      const promise = new Promise<void>((r) => (resolve = r));
      s = { promise, resolve };
      startedSignals.set(id, s);
    }
    return s;
  };

  /** A job (cell) that did not run, or did not get to start: its one job.completed. */
  const notRun = (job: Job, at: { jobKey: string; name: string; matrix: ValueMap | null }, result: JobResult, reason: string, runner?: string): JobSummary => {
    deps.emit({ type: "job.completed", ...at, job: job.id, workflow: workflow.file, result, outputs: {}, durationMs: 0, reason, ...(runner === undefined ? {} : { runner }) });
    return { result, outputs: {} };
  };

  const runJob = async (job: Job): Promise<JobSummary> => {
    // A job that waits for others has its container started once they all run, when a
    // slot is free for it: it starts its steps the moment they end (see WarmStarts).
    let warm: WarmJob | undefined;
    // The engine it warms on: the job runs there when that engine has its slot free.
    let warmOn: JobEngine | undefined;
    // Closed when the job takes its warm container, or when its needs are done before one
    // started: the job then waits for a slot of its own, and a warm start would only take
    // a slot from it.
    let warmClosed = false;
    if (job.needs.length && canWarm(job)) {
      void Promise.all(job.needs.map((n) => startedOf(n).promise)).then(async () => {
        // On the engine with the most free slots now (of several, the one the job would take).
        const on = slots.freestEngine();
        const presentImageFor = on?.presentImageFor;
        if (!on || !presentImageFor || warmClosed || options.signal.aborted || !warming.take(on)) return;
        try {
          const ctx: EvalOptions = { contexts: baseContexts(job, {}) };
          const image = await presentImageFor(await runsOnLabels(job.runsOn, ctx), job);
          if (image === undefined || warmClosed || options.signal.aborted) return warming.give(on);
          const jobKey = keys.peek(workflow.file, job.id, null);
          warm = warmJobCell(engineDeps(deps, on), { workflow, job, jobKey, name: job.id, matrix: null, strategy: {}, needs: {}, image, signal: options.signal });
          warmOn = on;
          // The jobs that need this one may warm up too: a chain starts all its containers at once.
          startedOf(job.id).resolve();
        } catch {
          warming.give(on);
        }
      });
    }
    try {
      return await runJobNow(
        job,
        (engine) => {
          warmClosed = true;
          const w = warm;
          warm = undefined;
          if (!w || !warmOn) return undefined;
          warming.give(warmOn);
          if (engine === warmOn) return w;
          // Its engine had no slot free when the job's turn came: the job runs elsewhere.
          deps.deferCleanup?.(w.discard());
          return undefined;
        },
        () => (warmClosed = true),
        () => (warm ? warmOn : undefined),
      );
    } finally {
      const unused = warm;
      warmClosed = true;
      warm = undefined;
      if (unused && warmOn) {
        warming.give(warmOn);
        deps.deferCleanup?.(unused.discard());
      }
    }
  };

  const runJobNow = async (job: Job, takeWarm: (engine: JobEngine) => WarmJob | undefined, needsDone: () => void, warmEngine: () => JobEngine | undefined): Promise<JobSummary> => {
    const deps_ = await Promise.all(job.needs.map((n) => promises.get(n) ?? Promise.resolve<JobSummary>({ result: "skipped", outputs: {} })));
    needsDone();
    const needs: NeedsContext = {};
    job.needs.forEach((n, i) => {
      const r = deps_[i];
      if (r) needs[n] = r;
    });
    const ancestors = [...ancestorsOf(job)].map((id) => summaries[id]?.result ?? "skipped");
    const skip = (reason: string, result: JobResult = "skipped"): JobSummary => {
      const name = job.name !== undefined && findExpressions(job.name).length === 0 ? job.name : job.id;
      return notRun(job, { jobKey: keys.key(workflow.file, job.id, null), name, matrix: null }, result, reason);
    };

    if (options.signal.aborted) return skip("the run was cancelled", "cancelled");
    const notReplayed = job.needs.find((n) => needs[n]?.result === "not-replayed");
    if (notReplayed !== undefined) return skip(notReplayedNeed(notReplayed), "not-replayed");

    // GitHub evaluates a job's status functions over all its ancestors, not only its
    // direct needs; a job whose `if` has no status function gets `success() &&`.
    const ctx: EvalOptions = {
      contexts: baseContexts(job, needs),
      status: {
        failed: ancestors.some((r) => r === "failure"),
        cancelled: options.signal.aborted || ancestors.some((r) => r === "cancelled"),
        ancestorSkipped: ancestors.some((r) => r === "skipped"),
      },
    };
    let run: boolean;
    try {
      run = await evaluateConditionAsync(job.if, ctx);
    } catch (e) {
      return skip(`its if: could not be evaluated: ${e instanceof Error ? e.message : String(e)}`, "failure");
    }
    if (!run) {
      const why = job.if !== undefined ? `its condition \`${job.if}\` is false` : `a job it needs did not succeed (${job.needs.map((n) => `${n}: ${needs[n]?.result}`).join(", ")})`;
      return skip(why);
    }
    // The matrix, evaluated now: it may come from the outputs of the jobs it needs.
    let cells: (ValueMap | null)[] = [null];
    const matrixRaw = job.strategy?.matrix;
    try {
      if (matrixRaw !== undefined) {
        const evaluated = await evaluateDeep(matrixRaw, ctx, { keys: true });
        if (!evaluated || typeof evaluated !== "object" || Array.isArray(evaluated)) {
          throw new WorkflowInvalidError(`the matrix of job '${job.id}' evaluated to ${JSON.stringify(evaluated)}, not a mapping`, { exitCode: 1 });
        }
        cells = expandMatrix(evaluated as ValueMap);
        const selectors = pw.selectors[job.id];
        if (selectors?.length) cells = selectCells(cells as ValueMap[], selectors, job.id);
      }
    } catch (e) {
      if (e instanceof ReplayError && e.code === "unknown-matrix") throw e;
      return skip(`its matrix could not be expanded: ${e instanceof Error ? e.message : String(e)}`, "failure");
    }

    const failFastRaw = job.strategy?.failFast;
    const failFast = failFastRaw === undefined ? true : failFastRaw === true || (typeof failFastRaw === "string" && (await evaluateTemplateAsync(failFastRaw, ctx)) === true);
    const maxParallelRaw = job.strategy?.maxParallel;
    const maxParallel = maxParallelRaw === undefined ? cells.length : Number(typeof maxParallelRaw === "string" ? await evaluateTemplateAsync(maxParallelRaw, ctx) : maxParallelRaw) || cells.length;
    const local = new Semaphore(Math.max(1, maxParallel));
    const failFastController = new AbortController();
    const cellSignal = AbortSignal.any([options.signal, failFastController.signal]);
    const nameHasExpression = job.name !== undefined && findExpressions(job.name).length > 0;

    const outcomes = await Promise.all(
      cells.map(async (cell, index): Promise<CellOutcome> => {
        const strategy: ValueMap = {
          "fail-fast": failFast,
          "job-index": index,
          "job-total": cells.length,
          "max-parallel": maxParallel,
        };
        const cellCtx: EvalOptions = { ...ctx, contexts: { ...ctx.contexts, matrix: cell ?? {}, strategy } };
        const baseName = job.name !== undefined ? await interpolateAsync(job.name, cellCtx).catch(() => job.name ?? job.id) : job.id;
        const name = cellDisplayName(baseName, cell, nameHasExpression);
        const jobKey = keys.key(workflow.file, job.id, cell);
        const cellAt = { jobKey, name, matrix: cell };
        if (job.uses !== undefined) {
          // A calling job holds no container slot: the jobs it calls take theirs.
          // It counts as started only at its end: the jobs it calls take slots of their own,
          // which a job warming up beside them would then exceed.
          return local.run(async () => {
            const call = { call: pw.calls?.[job.id], job, workflow, jobKey, name, matrix: cell, ctx: cellCtx, signal: cellSignal };
            const outcome = await runCallCell(deps, call, (called, calledDeps, callerKey, signal) =>
              runWorkflow(called, calledDeps, { ...options, signal }, slots, keys.within(callerKey), warming),
            );
            if (outcome.result === "failure" && failFast && cells.length > 1) failFastController.abort();
            return outcome;
          });
        }
        return heldUntilClean(local, slots, deps, warmEngine(), async (cellDeps, engine) => {
          startedOf(job.id).resolve();
          // The deploy guard: no surprise deploys from a local replay.
          if (job.environment !== undefined) {
            const env = await evaluateDeep(job.environment, cellCtx).catch(() => job.environment ?? "");
            const envName = typeof env === "string" ? env : env && typeof env === "object" && !Array.isArray(env) ? String((env as ValueMap)["name"] ?? "") : "";
            if (!(options.environments ?? []).includes(envName)) {
              return notRun(job, cellAt, "skipped", `deploy guard: the job deploys to environment '${envName}'; replay runs it only with --environment ${envName}`);
            }
          }
          if (cellSignal.aborted) return notRun(job, cellAt, "cancelled", "cancelled before it started");
          let image: string;
          try {
            // A `container:` job runs in its own image; the job runner prepares it.
            const container = job.container === undefined ? undefined : await evaluateDeep(job.container, cellCtx);
            const containerImage = typeof container === "string" ? container : container && typeof container === "object" && !Array.isArray(container) ? String((container as ValueMap)["image"] ?? "") : undefined;
            image = containerImage ?? (await engine.imageFor(await runsOnLabels(job.runsOn, cellCtx), job));
          } catch (e) {
            const result: JobResult = e instanceof NotReplayedError && !options.strict ? "not-replayed" : "failure";
            const reason = e instanceof Error ? e.message + (e instanceof NotReplayedError && options.strict ? " (failed by --strict)" : "") : String(e);
            return notRun(job, cellAt, result, reason, e instanceof NotReplayedError && !options.strict ? e.label : undefined);
          }
          const outcome = await runJobCell(cellDeps, { workflow, job, jobKey, name, matrix: cell, strategy, needs, image, signal: cellSignal }, takeWarm(engine));
          if (outcome.result === "failure" && engine.name && engine.answers && !slots.isLost(engine) && !(await engine.answers())) {
            slots.lose(engine);
            deps.emit({ type: "notice", level: "warning", jobKey, message: `engine ${engine.name} stopped answering: ${name} failed on it, and no more jobs start there; the jobs on the other engines go on` });
          }
          // A job's continue-on-error (often `${{ matrix.experimental }}`) keeps its
          // failure from cancelling the other cells and from failing the run.
          const coe = job.continueOnError !== undefined && (await truthy(job.continueOnError, cellCtx));
          if (outcome.result === "failure" && coe) return { ...outcome, result: "success" };
          if (outcome.result === "failure" && failFast && cells.length > 1) failFastController.abort();
          return outcome;
        });
      }),
    );
    const result = combinedResult(outcomes.map((o) => o.result));
    const outputs: Record<string, string> = {};
    for (const o of outcomes) for (const [k, v] of Object.entries(o.outputs)) if (v !== "" || !(k in outputs)) outputs[k] = v;
    return { result, outputs };
  };

  for (const job of pw.jobs) {
    const p = runJob(job).then((s) => {
      startedOf(job.id).resolve();
      summaries[job.id] = s;
      return s;
    });
    promises.set(job.id, p);
  }
  await Promise.all(promises.values());
  return summaries;
}

/**
 * Runs a job cell in its slots (max-parallel, --parallel) and answers its outcome as soon
 * as the job completes, so the jobs that need it start while its containers are removed;
 * the slots stay held until that clean-up is done and the containers are gone, so no
 * more containers are alive at once than the limits allow. The run waits for the
 * clean-ups, not for the engine's removal of stopped containers.
 */
function heldUntilClean(local: Semaphore, slots: EnginePool, deps: JobRunDeps, prefer: JobEngine | undefined, body: (cellDeps: JobRunDeps, engine: JobEngine) => Promise<CellOutcome>): Promise<CellOutcome> {
  return new Promise((resolve, reject) => {
    local
      .run(() =>
        slots.run(async (engine) => {
          const cleanups: Promise<void>[] = [];
          const cellDeps: JobRunDeps = {
            ...engineDeps(deps, engine),
            deferCleanup: (p) => {
              const settled = p.catch(() => undefined);
              cleanups.push(settled);
              deps.deferCleanup?.(settled);
            },
            deferRemoval: (gone) => void cleanups.push(gone.catch(() => undefined)),
          };
          resolve(await body(cellDeps, engine));
          // A clean-up defers its container's removal before it settles: look again.
          for (let seen = -1; seen !== cleanups.length; ) {
            seen = cleanups.length;
            await Promise.all(cleanups);
          }
        }, prefer),
      )
      .catch(reject);
  });
}

/** A job's deps on an engine: the run's, with the engine's own parts (a named engine is told in job.started). */
function engineDeps(deps: JobRunDeps, engine: JobEngine | undefined): JobRunDeps {
  return engine ? { ...deps, ...engine.deps, ...(engine.name ? { engineName: engine.name } : {}) } : deps;
}

async function truthy(v: Value, ctx: EvalOptions): Promise<boolean> {
  const r = await evaluateDeep(v, ctx).catch(() => false);
  return r === true || r === "true";
}

async function runsOnLabels(runsOn: Value | undefined, ctx: EvalOptions): Promise<string[]> {
  const v = await evaluateDeep(runsOn ?? "ubuntu-latest", ctx);
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.map(String);
  if (v && typeof v === "object") {
    const labels = (v as ValueMap)["labels"];
    return Array.isArray(labels) ? labels.map(String) : labels !== undefined ? [String(labels)] : [];
  }
  return [];
}
