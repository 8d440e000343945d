// `replay hook run <remote> <url>`: what the pre-push hook calls with git's input. For
// each pushed branch or tag, the workflows a push of it triggers on GitHub, replayed on
// the pushed commit itself; the verdict is the exit status (non-zero blocks the push).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ReplayError, ReplayErrorInContext, formatProblem } from "../../common/index.js";
import { checkCallSecrets, hashFiles, loadWorkflows, planEvent, resolveCalledWorkflows, workflowReader } from "../../workflows/index.js";
import type { Job, Plan, ReadCalledWorkflow, Workflow } from "../../workflows/index.js";
import { readRepoInfo, repoInfoAt } from "../../runners/index.js";
import type { RepoInfo, Reporter } from "../../runners/index.js";
import { formatDuration } from "../reporters/format.js";
import { readReplayConfig } from "../replay-config.js";
import { CompactReporter } from "./compact-reporter.js";
import { parseDuration } from "./duration.js";
import { extractCommit, hasPath, remoteName, upstreamOf } from "./hook-git.js";
import { chooseJobs } from "./job-choice.js";
import type { SkippedJob } from "./job-choice.js";
import { parsePrePushInput, preCommitPushedRef, ZERO_SHA } from "./pre-push-input.js";
import type { PushedRef } from "./pre-push-input.js";
import { pushTargets } from "./push-targets.js";
import type { PushTarget } from "./push-targets.js";
import { SKIP_HINT } from "./skip-hint.js";
import { INTERRUPT_EXIT } from "../run-interrupts.js";
import type { InterruptReason } from "../run-interrupts.js";

const INTERRUPT_SAID: Record<InterruptReason, string> = { interrupt: "Ctrl-C", terminate: "SIGTERM", "stdout-closed": "its output was closed" };

/** The interrupt a replay's exit status says cancelled it (its jobs are stopped and removed). */
function interruptOf(code: number): InterruptReason | undefined {
  return (Object.keys(INTERRUPT_EXIT) as InterruptReason[]).find((r) => INTERRUPT_EXIT[r] === code);
}

/** One replay of a planned push, on the Docker engine; answers its exit status. */
export type ExecutePush = (
  plan: Plan,
  run: {
    repo: RepoInfo;
    secrets: Record<string, string>;
    /** What the jobs see: exactly this commit, checked out on this ref. */
    from: { commit: string; ref: string };
    hashFiles: (patterns: string[]) => Promise<string>;
    reporters: Reporter[];
    signal: AbortSignal;
  },
) => Promise<number>;

/** Why the image of a job cannot be had here, or undefined; asked only when jobs will run. */
export type ImageProblems = (jobs: readonly Job[]) => Promise<(job: Job) => string | undefined>;

export interface HookRunOptions {
  dir: string;
  remote?: string | undefined;
  url?: string | undefined;
  /** --jobs: wins over .replay.yml's hook.jobs. */
  jobs?: string[] | undefined;
  /** --timeout: wins over .replay.yml's hook.timeout. */
  timeout?: string | undefined;
  /** git's input; undefined when standard input is a terminal (run by hand). */
  stdin: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  out: NodeJS.WritableStream;
  /** Reads a dotenv file of secrets (replay's `.secrets` format); rejects when absent. */
  readSecrets: (file: string) => Promise<Record<string, string>>;
  imageProblems: ImageProblems;
  execute: ExecutePush;
}

interface PlannedTarget {
  target: PushTarget;
  /** The jobs to replay; no workflow when there are none. */
  plan: Plan;
  skipped: SkippedJob[];
  /** Folder holding the commit's workflow files (and later all its files, for hashFiles). */
  treeDir: string;
  /** Every job id of the commit's workflows (to warn about chosen jobs that do not exist). */
  knownJobs: Set<string>;
  notTriggered: Plan["notTriggered"];
  workflowCount: number;
}

export async function hookRun(o: HookRunOptions): Promise<number> {
  const say = (line: string): void => void o.out.write(`${line}\n`);
  const skip = o.env["REPLAY_SKIP"];
  if (skip !== undefined && skip !== "" && skip !== "0" && skip.toLowerCase() !== "false") {
    say("replay: REPLAY_SKIP is set, so this push is not replayed (CI will be the first to run its jobs)");
    return 0;
  }
  const started = Date.now();
  const repo = await readRepoInfo(o.dir);
  const config = await readReplayConfig(repo.dir);
  const chosen = o.jobs ?? config.hook?.jobs;
  const chosenBy = chosen === undefined ? undefined : chosen === o.jobs ? "--jobs" : ".replay.yml's hook.jobs";
  const timeoutText = o.timeout ?? config.hook?.timeout;
  const timeoutMs = timeoutText === undefined ? undefined : parseDuration(timeoutText, o.timeout !== undefined ? "--timeout" : ".replay.yml hook.timeout");
  const remote = await remoteName(repo.dir, o.remote, o.url);
  const refs = await pushedRefs(o, repo.dir, remote);
  if (refs.length === 0) {
    say("replay: git names no ref to push; nothing to replay");
    return 0;
  }

  // No .secrets is none; one that does not parse refuses the push's replay, as it refuses a replay.
  const secrets = await o.readSecrets(path.join(repo.dir, ".secrets")).catch((e: unknown) => {
    if (e instanceof ReplayError) throw e;
    return {};
  });
  const tmp = await mkdtemp(path.join(os.tmpdir(), "replay-hook-"));
  try {
    const targets = await pushTargets(repo.dir, remote, refs);
    const planned: PlannedTarget[] = [];
    const ignored: string[] = [];
    for (const [i, t] of targets.entries()) {
      if (t.kind === "ignored") ignored.push(`${t.ref}: ${t.why}`);
      else planned.push(await planTarget(t, repo.dir, path.join(tmp, String(i)), { chosen, chosenBy, secrets: Object.keys(secrets), imageOverrides: config.images ?? {} }, say));
    }
    const unknown = (chosen ?? []).filter((id) => !planned.some((p) => p.knownJobs.has(id)));
    if (unknown.length && planned.length) say(`warning: ${chosenBy ?? ""} names ${unknown.map((j) => `'${j}'`).join(", ")}, which no workflow of the pushed commit has`);

    const toRun = planned.filter((p) => p.plan.workflows.length > 0);
    if (toRun.length === 0) {
      const why = [...ignored, ...planned.map((p) => `${refLabel(p.target)}: ${nothingReason(p)}`)];
      say(`replay: nothing to replay for this push — ${why.join("; ")}`);
      return 0;
    }
    // Images are looked at only now: a push that runs nothing never waits for Docker.
    const problems = await o.imageProblems(toRun.flatMap((p) => p.plan.workflows.flatMap((pw) => pw.jobs)));
    for (const p of toRun) {
      const again = chooseJobs(p.plan, { chosen, chosenBy, secrets: Object.keys(secrets), imageOverrides: config.images ?? {}, imageProblem: problems });
      p.plan = again.plan;
      p.skipped.push(...again.skipped);
    }
    for (const line of ignored) say(`replay: ${line}`);

    const controller = new AbortController();
    let timedOut = false;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            say(`replay: the ${timeoutText ?? ""} timeout is up: stopping the jobs and removing their containers…`);
            controller.abort();
          }, Math.max(0, timeoutMs - (Date.now() - started)));
    const failed: string[] = [];
    let ran = 0;
    let interrupted: InterruptReason | undefined;
    try {
      for (const p of planned) {
        const { target } = p;
        say(`replay: ${refLabel(target)} at ${target.sha.slice(0, 7)} (${describeChanges(target)})`);
        for (const s of p.skipped) say(`  - ${s.job} (${s.workflow}) left out: ${s.reason}`);
        if (p.plan.workflows.length === 0) {
          say(`  nothing to replay: ${nothingReason(p)}`);
          continue;
        }
        if (controller.signal.aborted) break;
        const reporter = new CompactReporter(o.out);
        const at = await repoInfoAt(repo, { sha: target.sha, ref: target.ref, before: target.before });
        const code = await o.execute(p.plan, {
          repo: at,
          secrets,
          from: { commit: target.sha, ref: target.ref },
          hashFiles: commitHashFiles(repo.dir, target.sha, path.join(p.treeDir, "all")),
          reporters: [reporter],
          signal: controller.signal,
        });
        const jobs = reporter.run.jobs.filter((j) => j.status !== "skipped" && j.status !== "pending");
        ran += jobs.length;
        interrupted = timedOut ? undefined : interruptOf(code);
        if (interrupted) break;
        const failures = reporter.run.jobs.filter((x) => x.status === "failure").map((j) => j.name);
        failed.push(...(code !== 0 && failures.length === 0 ? [`${refLabel(target)} (exit ${code})`] : failures));
      }
    } finally {
      if (timer) clearTimeout(timer);
    }
    const took = formatDuration(Date.now() - started);
    if (timedOut) {
      say(`replay: the jobs did not finish within ${timeoutText} (${o.timeout !== undefined ? "--timeout" : "hook.timeout in .replay.yml"}), so the push is blocked; no container is left.`);
      say(`hint: raise the timeout, or ${SKIP_HINT}`);
      return 1;
    }
    if (interrupted) {
      say(`replay: cancelled (${INTERRUPT_SAID[interrupted]}), so the push is blocked; no container is left.`);
      return INTERRUPT_EXIT[interrupted];
    }
    if (failed.length) {
      say(`replay: ${failed.length} of ${ran} job(s) failed (${failed.join(", ")}) in ${took}: the push is blocked.`);
      say(`hint: fix it and push again, or ${SKIP_HINT}`);
      return 1;
    }
    say(`replay: ${ran} job(s) passed in ${took}; pushing.`);
    return 0;
  } catch (e) {
    if (e instanceof ReplayError) {
      throw new ReplayErrorInContext(e, `${e.message}\n(the pre-push hook could not replay this push, so it is blocked)`, `${e.hint ? `${e.hint}; or ` : ""}${SKIP_HINT}`);
    }
    throw e;
  } finally {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The refs git says it pushes; pre-commit's variables; or, by hand, the current branch. */
async function pushedRefs(o: HookRunOptions, dir: string, remote: string | undefined): Promise<PushedRef[]> {
  const fromGit = parsePrePushInput(o.stdin ?? "");
  if (fromGit.length) return fromGit;
  const fromPreCommit = preCommitPushedRef(o.env);
  if (fromPreCommit) return [fromPreCommit];
  if (o.stdin !== undefined) return [];
  // Run by hand in a terminal: what `git push <remote> HEAD` would push.
  const up = await upstreamOf(dir, remote);
  return up ? [{ localRef: up.localRef, localSha: up.localSha, remoteRef: up.localRef, remoteSha: up.remoteSha ?? ZERO_SHA }] : [];
}

interface ChoiceBasics {
  chosen: readonly string[] | undefined;
  chosenBy: string | undefined;
  secrets: string[];
  imageOverrides: Record<string, string>;
}

async function planTarget(
  target: PushTarget,
  repoDir: string,
  treeDir: string,
  basics: ChoiceBasics,
  say: (line: string) => void,
): Promise<PlannedTarget> {
  // The workflows of the pushed commit decide, as on GitHub; the working tree does not.
  const workflowsDir = ".github/workflows";
  if (await hasPath(repoDir, target.sha, workflowsDir)) await extractCommit(repoDir, target.sha, treeDir, workflowsDir);
  const loaded = await loadWorkflows(treeDir).catch(() => ({ workflows: [] as Workflow[], problems: [], files: [] }));
  if (loaded.problems.length) {
    say(`warning: ${new Set(loaded.problems.map((p) => p.file)).size} workflow file(s) of ${target.sha.slice(0, 7)} do not load and are left out (GitHub would fail them):`);
    for (const p of loaded.problems) say(`  ${formatProblem(p)}`);
  }
  const knownJobs = new Set(loaded.workflows.flatMap((w) => w.jobs.map((j) => j.id)));
  const plan = planEvent(loaded.workflows, "push", { ref: target.ref, ...(target.changedFiles ? { changedFiles: target.changedFiles } : {}) });
  const reader = workflowReader(treeDir);
  const callProblems = await callProblemsOf(plan, reader, basics.secrets);
  // Called workflows are resolved for the jobs that can call theirs, the others left out.
  const callable = { ...plan, workflows: plan.workflows.map((pw) => ({ ...pw, jobs: pw.jobs.filter((j) => !callProblems.has(j)) })) };
  const resolved = await resolveCalledWorkflows(callable, reader);
  const withCalls: Plan = { ...plan, workflows: plan.workflows.map((pw, i) => ({ ...pw, ...(resolved.workflows[i]?.calls ? { calls: resolved.workflows[i]?.calls } : {}) })) };
  const choice = chooseJobs(withCalls, { ...basics, callProblem: (_w, job) => callProblems.get(job) });
  return { target, plan: choice.plan, skipped: choice.skipped, treeDir, knownJobs, notTriggered: plan.notTriggered, workflowCount: loaded.workflows.length };
}

/** Why each `uses:` job's called workflow cannot be replayed (refusals of `replay run`). */
async function callProblemsOf(plan: Plan, reader: ReadCalledWorkflow, secrets: string[]): Promise<Map<Job, string>> {
  const problems = new Map<Job, string>();
  const supplied = Object.fromEntries(secrets.map((s) => [s, "x"]));
  for (const pw of plan.workflows) {
    for (const job of pw.jobs.filter((j) => j.uses !== undefined)) {
      try {
        const one = await resolveCalledWorkflows({ ...plan, workflows: [{ ...pw, jobs: [job] }] }, reader);
        checkCallSecrets(one, { secrets: supplied, vars: {}, inputs: {} });
      } catch (e) {
        if (!(e instanceof ReplayError)) throw e;
        problems.set(job, e.message.split("\n")[0] ?? e.message);
      }
    }
  }
  return problems;
}

function nothingReason(p: PlannedTarget): string {
  if (p.workflowCount === 0) return "the pushed commit has no workflow";
  if (p.skipped.length) return `every job it triggers is left out (${p.skipped.map((s) => `${s.job}: ${s.reason}`).join("; ")})`;
  const why = p.notTriggered.map((n) => `${n.workflow}: ${n.reason}`);
  return why.length ? `no workflow is triggered (${why.join("; ")})` : "no workflow is triggered";
}

function refLabel(t: PushTarget): string {
  return t.kind === "tag" ? `push of tag '${t.name}'` : `push to '${t.name}'`;
}

function describeChanges(t: PushTarget): string {
  if (t.changedFiles === undefined) return t.comparedWith;
  const n = t.changedFiles.length;
  return `${n} file${n === 1 ? "" : "s"} changed, ${t.comparedWith}`;
}

/** hashFiles() over the pushed commit's files, written out on first use only. */
function commitHashFiles(repoDir: string, sha: string, dir: string): (patterns: string[]) => Promise<string> {
  let ready: Promise<void> | undefined;
  return async (patterns) => {
    ready ??= extractCommit(repoDir, sha, dir);
    await ready;
    return hashFiles(dir, patterns);
  };
}
