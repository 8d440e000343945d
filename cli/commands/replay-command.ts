// `replay job` and `replay run`: the repository and its workflows read, the plan made and
// checked (inputs, secrets, called workflows) before anything starts; then executePlan
// (execute-plan.ts) runs it.
import { ReplayError, UsageError, WorkflowInvalidError, mark } from "../../common/index.js";
import {
  checkCallSecrets,
  parseKeyValues,
  parseMatrixSelectors,
  planEvent,
  planJob,
  resolveCalledWorkflows,
  workflowReader,
} from "../../workflows/index.js";
import type { Plan } from "../../workflows/index.js";
import { ActionCache, changedFiles, defaultActionCacheDir } from "../../runners/index.js";
import { connectDocker } from "../../runners/docker/index.js";
import { loadRepo, warnProblems } from "../load-repo.js";
import { DEFAULT_GITHUB_URL } from "../option-args.js";
import { executePlan } from "./execute-plan.js";
import type { ExecuteOptions, ReplayCommandOptions } from "./replay-options.js";
import { planInputs, readEventPayload } from "./plan-inputs.js";
import { ghToken, readSecrets } from "./secret-sources.js";

export { readDotenv } from "./secret-sources.js";
export { executePlan } from "./execute-plan.js";
export type { ExecuteOptions, PlannedReplay, ReplayCommandOptions } from "./replay-options.js";


/** `replay job` and `replay run`: plan, then run on the Docker engine. Answers the exit status. */
export async function replayCommand(options: ReplayCommandOptions & Pick<ExecuteOptions, "docker">): Promise<number> {
  mark("command loaded");
  // The engine is reached while the repository and its workflows are read; a problem with
  // it is reported only after theirs (a broken workflow is the user's first concern).
  const docker = options.docker ?? connectDocker();
  docker.catch(() => undefined);
  const o = { ...options, docker, ...(options.githubTokenFromGh && !options.githubToken ? { githubToken: await ghToken() } : {}) };
  const { repo, loaded } = await loadRepo(o.dir, o.workflow, o.repoInfo);
  mark("repository and workflows read");
  const selectors = parseMatrixSelectors(o.matrix);
  const givenInputs = parseKeyValues(o.input, "--input");
  const vars = parseKeyValues(o.var, "--var");

  let plan: Plan;
  if (o.job !== undefined) {
    if (o.workflow !== undefined && loaded.problems.length) throw brokenWorkflow(loaded.problems);
    try {
      plan = planJob(loaded.workflows, o.job, o.event, selectors);
    } catch (e) {
      // The job may be in a workflow that did not load: say why that one did not.
      if (e instanceof ReplayError && e.code === "unknown-job" && loaded.problems.length) {
        throw brokenWorkflow(loaded.problems, `${e.message}, and`, loaded.workflows.length ? e.hint : undefined);
      }
      throw e;
    }
  } else {
    if (selectors.length) throw new UsageError("--matrix selects cells of one job: use it with `replay job <id>`");
    const files = o.changedFiles ?? (o.base === undefined ? undefined : await changedFiles(repo.dir, o.base, repo.sha));
    plan = planEvent(loaded.workflows, o.event, { ref: repo.ref, ...(files ? { changedFiles: files } : {}) });
    if (o.workflow !== undefined && loaded.problems.length) throw brokenWorkflow(loaded.problems);
    if (plan.workflows.length === 0) {
      const notTriggered = plan.notTriggered.map((n) => `${n.workflow}: ${n.reason}`).join("; ");
      // The workflows that did not load may be the ones the user meant: say why they did not.
      if (loaded.problems.length) throw brokenWorkflow(loaded.problems, `no workflow is triggered by ${o.event} on ${repo.ref}, and`, notTriggered || undefined);
      throw new UsageError(`no workflow is triggered by ${o.event} on ${repo.ref}`, {
        hint: notTriggered || "no workflow files were found under .github/workflows",
      });
    }
  }
  warnProblems(loaded);
  // Reusable workflows the plan's jobs call are loaded and checked before anything starts;
  // those of other repositories come through the remote actions' clone cache.
  const workflowSource = new ActionCache({
    root: defaultActionCacheDir(),
    githubUrl: o.githubUrl ?? DEFAULT_GITHUB_URL,
    offline: o.offline ?? false,
    onFetch: (message) => void process.stderr.write(`${message}\n`),
  });
  plan = await resolveCalledWorkflows(plan, workflowReader(repo.dir, workflowSource));

  // Inputs: typed and checked before anything starts.
  const inputs = await planInputs(plan, {
    given: givenInputs,
    event: o.event,
    ...(o.eventPath ? { payload: await readEventPayload(o.eventPath) } : {}),
    defaults: { contexts: { github: { repository: repo.fullName, repository_owner: repo.owner, sha: repo.sha, ref: repo.ref, ref_name: repo.refName, event_name: o.event, actor: repo.actor }, vars } },
  });

  const secrets = await readSecrets(repo.dir, o);
  // A required secret of a called workflow that would be empty refuses the replay now.
  checkCallSecrets(plan, { secrets, githubToken: o.githubToken, vars, inputs });
  mark("planned");
  return executePlan(plan, { repo, secrets, vars, inputs }, o);
}

/** `lead` goes before the problems, and `also` (what the caller would have hinted) after its hint. */
function brokenWorkflow(problems: readonly { file: string; line: number; col: number; message: string }[], lead = "", also?: string): WorkflowInvalidError {
  const files = new Set(problems.map((p) => p.file)).size;
  return new WorkflowInvalidError(
    `${lead ? `${lead} ` : ""}${files > 1 ? `${files} workflow files do` : "the workflow does"} not load:\n${problems.map((p) => `  ${p.file}:${p.line}:${p.col}: ${p.message}`).join("\n")}`,
    { hint: `fix the lines named above; \`replay validate\` lists every problem${also ? `; ${also}` : ""}` },
  );
}
