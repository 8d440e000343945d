import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ReplayError, UsageError } from "../../common/index.js";
import {
  parseKeyValues,
  parseMatrixSelectors,
  planEvent,
  planJob,
  resolveInputs,
} from "../../workflows/index.js";
import type { Plan, Value } from "../../workflows/index.js";
import {
  BUILTIN_ACTIONS,
  BuiltinRegistry,
  Masker,
  runPlan,
  runnerPaths,
  synthesizePayload,
  writeWorkspaceTar,
  changedFiles,
} from "../../runners/index.js";
import type { EventInput, ReplayEvent, Reporter } from "../../runners/index.js";
import { DockerContainerRuntime, IMAGE_LABEL, connectDocker, ensureImage, reap, removeRun, runLabels } from "../../runners/docker/index.js";
import { hashFiles } from "../../workflows/index.js";
import { nextRunNumber, RunRecorder } from "../../history/index.js";
import { loadRepo, warnProblems } from "../load-repo.js";
import { ImageResolver } from "../image-resolver.js";
import { readReplayConfig } from "../replay-config.js";

export interface ReplayCommandOptions {
  dir: string;
  workflow?: string;
  event: string;
  job?: string;
  matrix: string[];
  input: string[];
  secret: string[];
  secretFile?: string;
  var: string[];
  image: string[];
  from: "worktree" | "HEAD";
  parallel: number;
  keep: boolean;
  base?: string;
  githubToken?: string;
  reporters: Reporter[];
}

/** `NAME=VALUE` or `NAME` (from the environment). */
function parseSecrets(args: string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const eq = a.indexOf("=");
    if (eq === 0) throw new UsageError(`--secret ${a}: the name is missing`, "use --secret NAME=VALUE or --secret NAME (value from the environment)");
    if (eq > 0) out[a.slice(0, eq)] = a.slice(eq + 1);
    else {
      const v = env[a];
      if (v === undefined) throw new UsageError(`--secret ${a}: no environment variable ${a} to take the value from`, `export ${a}=… first, or pass --secret ${a}=VALUE`);
      out[a] = v;
    }
  }
  return out;
}

/** A dotenv file: NAME=VALUE lines, `#` comments, optional quotes. */
async function readDotenv(file: string): Promise<Record<string, string>> {
  const text = await readFile(file, "utf8");
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2] ?? "";
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1).replace(/\\n/g, "\n");
    out[m[1] ?? ""] = v;
  }
  return out;
}

function newRunId(): string {
  // Numeric like GitHub's run ids, unique per machine and time.
  return `${Date.now()}${Math.floor(Math.random() * 1000).toString().padStart(3, "0")}`;
}

/** `replay job` and `replay run`: plan, then run on the Docker engine. Answers the exit status. */
export async function replayCommand(o: ReplayCommandOptions): Promise<number> {
  const { repo, loaded } = await loadRepo(o.dir, o.workflow);
  const selectors = parseMatrixSelectors(o.matrix);
  const givenInputs = parseKeyValues(o.input, "--input");
  const vars = parseKeyValues(o.var, "--var");

  let plan: Plan;
  if (o.job !== undefined) {
    if (o.workflow !== undefined && loaded.problems.length) throw brokenWorkflow(loaded.problems);
    plan = planJob(loaded.workflows, o.job, o.event, selectors);
  } else {
    if (selectors.length) throw new UsageError("--matrix selects cells of one job: use it with `replay job <id>`");
    const files = o.base === undefined ? undefined : await changedFiles(repo.dir, o.base, repo.sha);
    plan = planEvent(loaded.workflows, o.event, { ref: repo.ref, ...(files ? { changedFiles: files } : {}) });
    if (o.workflow !== undefined && loaded.problems.length) throw brokenWorkflow(loaded.problems);
    if (plan.workflows.length === 0) {
      throw new ReplayError("usage", `no workflow is triggered by ${o.event} on ${repo.ref}`, {
        hint: plan.notTriggered.map((n) => `${n.workflow}: ${n.reason}`).join("; ") || "no workflow files were found under .github/workflows",
      });
    }
  }
  warnProblems(loaded);

  // Inputs: typed and checked before anything starts.
  let inputs: Record<string, Value> = {};
  if (o.event === "workflow_dispatch") {
    for (const pw of plan.workflows) inputs = { ...inputs, ...resolveInputs(pw.workflow.on.dispatchInputs, givenInputs, "workflow_dispatch") };
  } else if (Object.keys(givenInputs).length) {
    throw new UsageError(`--input is for workflow_dispatch; this replay's event is ${o.event}`, "add --event workflow_dispatch");
  }

  const secrets: Record<string, string> = {};
  const dotSecrets = path.join(repo.dir, ".secrets");
  Object.assign(secrets, await readDotenv(dotSecrets).catch(() => ({})));
  if (o.secretFile) Object.assign(secrets, await readDotenv(o.secretFile).catch((e: unknown) => {
    throw new UsageError(`--secret-file ${o.secretFile}: ${e instanceof Error ? e.message : String(e)}`);
  }));
  Object.assign(secrets, parseSecrets(o.secret, process.env));

  const config = await readReplayConfig(repo.dir);
  // --image wins over .replay.yml's images.
  const imageOverrides = { ...(config.images ?? {}), ...parseKeyValues(o.image, "--image") };
  const { docker } = await connectDocker();
  const runtime = new DockerContainerRuntime(docker);
  await reap(docker, { all: false }).catch(() => undefined);

  const runId = newRunId();
  const runNumber = await nextRunNumber(repo.dir);
  const started = Date.now();
  const masker = new Masker();
  for (const v of Object.values(secrets)) masker.add(v);
  if (o.githubToken) masker.add(o.githubToken);

  const recorder = await RunRecorder.create(repo.dir, runId);
  const reporters = [...o.reporters, recorder];
  const emit = (e: EventInput): void => {
    const event = { ...e, at: new Date().toISOString() } as ReplayEvent;
    for (const r of reporters) r.onEvent(event);
  };

  const serverUrl = "https://github.com";
  const payload = synthesizePayload({ event: o.event, repo, serverUrl, inputs, ...(o.base ? { baseBranch: o.base } : {}) });
  const tmp = await mkdtemp(path.join(os.tmpdir(), `replay-${runId}-`));
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write("\ncancelling: stopping running steps and removing containers (Ctrl-C again to quit at once)\n");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);

  let exitCode = 1;
  try {
    const images = new ImageResolver(imageOverrides, async (name) =>
      ensureImage(docker, {
        name,
        ...(config.caCerts ? { caCertsFile: path.resolve(repo.dir, config.caCerts) } : {}),
        onProgress: (line) => emit({ type: "notice", level: "info", message: `image ${name}: ${line}` }),
      }),
    );
    const paths = runnerPaths(repo.name);
    const workspaceTar = path.join(tmp, "workspace.tar");
    await writeWorkspaceTar(workspaceTar, {
      repoDir: repo.dir,
      source: o.from,
      prefix: path.posix.relative(paths.work, paths.workspace),
      uid: 1001,
      gid: 1001,
      extraFiles: [
        { path: path.posix.relative(paths.work, paths.eventPath), content: `${JSON.stringify(payload, null, 2)}\n` },
      ],
    });
    emit({
      type: "run.started",
      runId,
      event: o.event,
      sha: repo.sha,
      ref: repo.ref,
      workflows: plan.workflows.map((w) => w.workflow.file),
    });
    const result = await runPlan(
      plan,
      {
        runtime,
        emit,
        masker,
        builtins: new BuiltinRegistry(BUILTIN_ACTIONS),
        hostRunDir: tmp,
        workspaceTar,
        labels: runLabels(runId),
        keepFailed: o.keep,
        run: {
          runId,
          runNumber,
          runAttempt: 1,
          serverUrl,
          apiUrl: "https://api.github.com",
          graphqlUrl: "https://api.github.com/graphql",
          ...(o.githubToken ? { token: o.githubToken } : {}),
        },
        repo,
        eventName: o.event,
        payload,
        secrets,
        vars,
        inputs,
        ...(o.base ? { baseBranch: o.base } : {}),
        hashFiles: (patterns) => hashFiles(repo.dir, patterns),
        imageEnv: async (image) => {
          const info = await docker.getImage(image).inspect();
          return Object.fromEntries((info.Config?.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
        },
        imageUser: async (image) => {
          const info = await docker.getImage(image).inspect();
          return info.Config?.Labels?.[IMAGE_LABEL] ? "runner" : info.Config?.User || "root";
        },
        artifactsDir: path.join(recorder.dir, "artifacts"),
      },
      { parallel: o.parallel, imageFor: (labels) => images.imageFor(labels), signal: controller.signal },
    );
    exitCode = result.exitCode;
    emit({ type: "run.completed", runId, result: result.result, exitCode, durationMs: Date.now() - started });
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
    // Whatever a job left (a crash between create and remove) goes with the run.
    if (!o.keep) await removeRun(docker, runId).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    await Promise.all(reporters.map((r) => r.close()));
  }
  return exitCode;
}

function brokenWorkflow(problems: readonly { file: string; line: number; col: number; message: string }[]): ReplayError {
  return new ReplayError(
    "workflow-invalid",
    `the workflow does not load:\n${problems.map((p) => `  ${p.file}:${p.line}:${p.col}: ${p.message}`).join("\n")}`,
    { hint: "fix the lines named above; `replay validate` lists every problem" },
  );
}
