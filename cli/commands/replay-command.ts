import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ReplayError, UsageError, WorkflowInvalidError, caFetch, mark, runProcess } from "../../common/index.js";
import {
  checkCallSecrets,
  parseKeyValues,
  parseMatrixSelectors,
  planEvent,
  planJob,
  resolveCalledWorkflows,
  workflowReader,
} from "../../workflows/index.js";
import type { Plan, Value, ValueMap } from "../../workflows/index.js";
import {
  builtinActions,
  DEFAULT_TOOL_CACHE_VOLUME,
  NodeInstaller,
  TOOL_CACHE_MOUNT,
  BuiltinRegistry,
  ActionCache,
  defaultActionCacheDir,
  Masker,
  maskEvent,
  runPlan,
  runnerPaths,
  synthesizePayload,
  writeWorkspaceTar,
  SNAPSHOT_STAGING,
  changedFiles,
  WorkingTreeSync,
  resolveCommit,
  makeRunnerSizing,
} from "../../runners/index.js";
import type { CopyBack, EventInput, PayloadOptions, RepoInfo, ReplayEvent, Reporter, RunnerSizeMode, SnapshotSource, StepControl } from "../../runners/index.js";
import type { DockerConnection } from "../../runners/docker/index.js";
import { DockerActionRuntime, DockerContainerRuntime, IMAGE_LABEL, bridgeGateway, connectDocker, endpointUri, engineResources, refuseEngineWithoutOurFiles, ensureImage, findPackageRoot, imageStatus, reap, removeRun, runLabels } from "../../runners/docker/index.js";
import { RunDockerApi, engineAddress } from "../../runners/docker-proxy/index.js";
import { hashFiles } from "../../workflows/index.js";
import { ArtifactStore, CacheStore, RuntimeServer, cacheScopes, repositoryIdentity } from "../../runners/services/index.js";
import type { RunStores } from "../../runners/services/index.js";
import { nextRunNumber, RunRecorder } from "../../history/index.js";
import { loadRepo, warnProblems } from "../load-repo.js";
import { ImageResolver } from "../image-resolver.js";
import { readReplayConfig } from "../replay-config.js";
import { DEFAULT_GITHUB_URL } from "../option-args.js";
import { prepareRemoteActions } from "./actions-command.js";
import { readSecrets, shortSecretWarnings } from "./secret-sources.js";
import { INTERRUPT_EXIT, quitLeavingRun, watchInterrupts } from "../run-interrupts.js";
import { planInputs } from "./plan-inputs.js";

export { readDotenv } from "./secret-sources.js";

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
  from: SnapshotSource;
  parallel: number;
  keep: boolean;
  /** `--allow-privileged`: steps may start privileged containers through their Docker API. */
  allowPrivileged?: boolean;
  /** `--keep-images`: the images the steps built outlive the run. */
  keepImages?: boolean;
  /** false with `--no-sync`: a paused job never takes the working tree's edits. */
  sync?: boolean;
  /** Takes what the jobs changed in their checkouts as they end, for copying back (replay debug, `--copy-back`). */
  copyBack?: CopyBack;
  base?: string;
  /** The files a push changes, for `paths:` filters (replay watch: those changed since its last replay); wins over `base`'s. */
  changedFiles?: string[];
  /** `--event-path`: the user's own event payload instead of one synthesized from git. */
  eventPath?: string;
  githubToken?: string;
  /** Opt-in: take secrets.GITHUB_TOKEN from `gh auth token`. */
  githubTokenFromGh?: boolean;
  environments: string[];
  /** --strict: jobs replay cannot run here fail rather than being not replayed. */
  strict?: boolean;
  pull: boolean;
  /** Remote actions: `--github-url`, `--offline`, `--no-builtin`. */
  githubUrl?: string;
  offline?: boolean;
  noBuiltin?: string[];
  /** `--runner-size`: wins over .replay.yml's runner-size. */
  runnerSize?: RunnerSizeMode;
  reporters: Reporter[];
  /** Told the id of the run being recorded (for `--diff` once the replay is over). */
  onRunId?: (runId: string) => void;
  /** Stepping and breakpoints (the TUI): asked before each step and after a failed one. */
  control?: StepControl;
  /** Cancels the replay the way Ctrl-C does (the TUI's `q`). */
  signal?: AbortSignal;
  /** Told the plan before anything runs (the TUI lists the steps still to come). */
  onPlan?: (plan: Plan) => void;
  /** The repository's git questions, when the caller asked them already (as `dir`'s). */
  repoInfo?: Promise<RepoInfo>;
}

async function readEventPayload(file: string): Promise<ValueMap> {
  const text = await readFile(file, "utf8").catch((e: unknown) => {
    throw new UsageError(`--event-path ${file}: ${e instanceof Error ? e.message : String(e)}`);
  });
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) return v as ValueMap;
  } catch (e) {
    throw new UsageError(`--event-path ${file}: not JSON (${e instanceof Error ? e.message : String(e)})`, "give the event payload as a JSON object, as GitHub writes GITHUB_EVENT_PATH");
  }
  throw new UsageError(`--event-path ${file}: the payload must be a JSON object`);
}

async function ghToken(): Promise<string> {
  const r = await runProcess("gh", ["auth", "token"]);
  if (r.exitCode !== 0 || !r.stdout.trim()) {
    throw new UsageError("--github-token-from-gh: `gh auth token` gave no token", "log in with `gh auth login`, or pass --github-token");
  }
  return r.stdout.trim();
}

function newRunId(): string {
  // Numeric like GitHub's run ids, unique per machine and time.
  return `${Date.now()}${Math.floor(Math.random() * 1000).toString().padStart(3, "0")}`;
}

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

/** What a planned replay runs with, all decided before anything starts. */
export interface PlannedReplay {
  /** The repository as the run's github context shows it (sha, ref, head commit). */
  repo: RepoInfo;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  inputs: Record<string, Value>;
}

export interface ExecuteOptions extends ReplayCommandOptions {
  /** hashFiles() over other files than the working tree's (the pre-push hook's commit). */
  hashFiles?: (patterns: string[]) => Promise<string>;
  /** The engine, when the caller started connecting already. */
  docker?: Promise<DockerConnection>;
}

/** Runs a plan on the Docker engine: images, workspace snapshot, engine, reporters, run record. */
export async function executePlan(plan: Plan, planned: PlannedReplay, o: ExecuteOptions): Promise<number> {
  const { repo, secrets, vars, inputs } = planned;
  const config = await readReplayConfig(repo.dir);
  // --image wins over .replay.yml's images.
  const imageOverrides = { ...(config.images ?? {}), ...parseKeyValues(o.image, "--image") };
  const { docker, endpoint } = await (o.docker ?? connectDocker());
  // Where the run's services will listen: asked now, answered while the checks below run.
  const gateway = bridgeGateway(docker);
  const runnerSizing = makeRunnerSizing(o.runnerSize, config, () => engineResources(docker));
  const caCertsFile = config.caCerts ? { caCertsFile: path.resolve(repo.dir, config.caCerts) } : {};
  // Notices about images go to the reporters once they exist (the refusal below comes first).
  let imageNotice: (message: string) => void = () => undefined;
  const images = new ImageResolver({
    overrides: imageOverrides,
    build: (name) =>
      ensureImage(docker, { name, ...caCertsFile, onProgress: (line, layer) => imageNotice(`image ${layer}: ${line}`) }),
    status: (name) => imageStatus(docker, { name, ...caCertsFile }),
    notice: (message) => imageNotice(message),
  });
  // An engine that does not see this machine's files (a remote one) refuses the replay now,
  // not with a missing-file error once the first job has started; asked beside the images.
  const seesFiles = refuseEngineWithoutOurFiles(docker, endpointUri(endpoint));
  seesFiles.catch(() => undefined);
  // A job needing an image that is neither here nor buildable here refuses the replay now.
  await images.preflight(plan.workflows.flatMap((pw) => pw.jobs));
  await seesFiles;
  mark("images checked");
  // Every job asks for its image's env and user: one inspect per image per run, asked now
  // for the images already here (answered while the run's records and services are made).
  const inspected = new Map<string, ReturnType<ReturnType<typeof docker.getImage>["inspect"]>>();
  const inspectImage = (image: string): ReturnType<ReturnType<typeof docker.getImage>["inspect"]> => {
    let p = inspected.get(image);
    if (!p) {
      p = docker.getImage(image).inspect();
      p.catch(() => undefined);
      inspected.set(image, p);
    }
    return p;
  };
  images.whenPresent(plan.workflows.flatMap((pw) => pw.jobs), inspectImage);
  // So does a remote action that cannot be resolved (or, --offline, is not in the cache).
  const remoteActions = await prepareRemoteActions(plan, repo.dir, o, (message) => process.stderr.write(`${message}\n`));
  // Node releases setup-node and node24 actions need beyond the image's: in a volume kept
  // between replays (REPLAY_TOOL_CACHE_VOLUME names another).
  const toolCache = { volume: process.env["REPLAY_TOOL_CACHE_VOLUME"] || DEFAULT_TOOL_CACHE_VOLUME, mountPath: TOOL_CACHE_MOUNT };
  const runtime = new DockerContainerRuntime(docker, {
    stepAgent: process.env["REPLAY_STEP_AGENT"] !== "0",
    ...(process.env["REPLAY_STEP_AGENT"] === "node" ? { nativeAgent: false } : {}),
    toolCache,
  });
  const nodeInstaller = new NodeInstaller({ fetch: caFetch, script: path.join(findPackageRoot(), "images/runner/install-node.sh"), mountPath: toolCache.mountPath });
  // What crashed replays left goes while this one starts (their labels name a dead process;
  // this run's never match).
  const reaping = reap(docker, { all: false }).catch(() => undefined);

  const runId = newRunId();
  const engine = engineAddress(endpoint);
  const dockerApi = engine ? new RunDockerApi(engine, runId, o.allowPrivileged ?? false) : undefined;
  const runNumber = await nextRunNumber(repo.dir);
  const started = Date.now();
  const masker = new Masker();
  for (const v of Object.values(secrets)) masker.add(v);
  if (o.githubToken) masker.add(o.githubToken);

  const recorder = await RunRecorder.create(repo.dir, runId);
  o.onRunId?.(runId);
  o.onPlan?.(plan);
  const reporters = [...o.reporters, recorder];
  const emit = (e: EventInput): void => {
    // Whatever made the event, its texts pass the masker before any reporter sees them.
    const event = { ...maskEvent(e, masker), at: new Date().toISOString() } as ReplayEvent;
    for (const r of reporters) r.onEvent(event);
  };

  // Past the masker: these name a secret, never hold one, and a one-letter secret would
  // mask its own warning.
  for (const message of shortSecretWarnings(secrets)) {
    for (const r of reporters) r.onEvent({ type: "notice", level: "warning", message, at: new Date().toISOString() });
  }

  const serverUrl = "https://github.com";
  const payload = o.eventPath
    ? await readEventPayload(o.eventPath)
    : synthesizePayload({ event: o.event, repo, serverUrl, inputs, ...(await payloadContext(plan, repo, o.base)) });
  const tmp = await mkdtemp(path.join(os.tmpdir(), `replay-${runId}-`));
  // Ctrl-C, SIGTERM and a closed stdout cancel the run; a second one quits at once.
  const controller = new AbortController();
  const quit = (status: number): never => quitLeavingRun({ runId, hostRunDir: tmp, keep: o.keep, entry: process.argv[1] }, status);
  const interrupts = watchInterrupts({ quit, cancelled: controller.signal });
  const onAbort = (): void => controller.abort();
  interrupts.signal.addEventListener("abort", onAbort, { once: true });
  o.signal?.addEventListener("abort", onAbort, { once: true });
  if (o.signal?.aborted) controller.abort();

  let exitCode = 1;
  let services: RuntimeServer | undefined;
  let writingWorkspace: Promise<void> | undefined;
  try {
    imageNotice = (message) => emit({ type: "notice", level: "info", message });
    const stores: RunStores = {
      caches: new CacheStore(CacheStore.defaultRoot()),
      artifacts: new ArtifactStore(path.join(recorder.dir, "artifacts")),
      repository: repositoryIdentity(repo),
      scopes: cacheScopes({ eventName: o.event, ref: repo.ref, refName: repo.refName, defaultBranch: repo.defaultBranch, ...(o.base ? { baseBranch: o.base } : {}) }),
    };
    const paths = runnerPaths(repo.name);
    // Taken before the snapshot reads the tree: an edit in between is synced once more, never missed.
    const syncIn = !!o.control && o.sync !== false;
    const treeSync = o.from === "worktree" && (syncIn || o.copyBack) ? await WorkingTreeSync.baseline(repo.dir, { syncIn, ...(o.copyBack ? { copyBack: o.copyBack } : {}) }) : undefined;
    const workspaceTar = path.join(tmp, "workspace.tar");
    // The snapshot's history is at depth 1, as checkout's default clone leaves it: the
    // built-in checkout then has nothing to do for the defaults (it is told so below).
    const depthOne = true;
    // The snapshot is written once the first job's container is created, while it starts
    // (the container waits for it): writing it sooner (~40 ms of this thread for a small
    // repository, git's start included) only delayed that container's creation. One that
    // cannot be written (git failing) fails the jobs, and the run ends with its error; a
    // run whose jobs all were skipped writes none.
    const workspaceReady = (): Promise<void> => {
      if (writingWorkspace) return writingWorkspace;
      writingWorkspace = writeWorkspaceTar(workspaceTar, {
        repoDir: repo.dir,
        source: o.from,
        // Unpacked beside the workspace, which stays empty until a checkout moves it in.
        prefix: SNAPSHOT_STAGING,
        rootOnlyDirs: [path.posix.dirname(SNAPSHOT_STAGING)],
        emptyDirs: [path.posix.relative(paths.work, paths.workspace)],
        uid: 1001,
        gid: 1001,
        depthOne,
        extraFiles: [
          { path: path.posix.relative(paths.work, paths.eventPath), content: `${JSON.stringify(payload, null, 2)}\n` },
        ],
      });
      writingWorkspace.catch(() => undefined);
      return writingWorkspace;
    };
    services = await startServices(await gateway, stores, emit);
    // As the runner does: the token never shows in a log.
    if (services) masker.add(services.token);
    mark("run started");
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
        builtins: new BuiltinRegistry(builtinActions(stores, nodeInstaller, process.env["REPLAY_TOOLCHAIN_MISMATCH"] === "warn" ? "warn" : "fail"), remoteActions.disabled),
        actions: { source: remoteActions.cache, containers: new DockerActionRuntime(docker), nodeInstaller },
        ...(services ? { actionRuntimeEnv: services.actionRuntimeEnv(), oidcEnv: services.oidcEnv() } : {}),
        hostRunDir: tmp,
        workspaceTar,
        workspaceReady,
        workspaceDepthOne: depthOne,
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
        hashFiles: o.hashFiles ?? ((patterns) => hashFiles(repo.dir, patterns)),
        imageEnv: async (image) => {
          const info = await inspectImage(image);
          return Object.fromEntries((info.Config?.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
        },
        imageUser: async (image) => {
          const info = await inspectImage(image);
          return info.Config?.Labels?.[IMAGE_LABEL] ? "runner" : info.Config?.User || "root";
        },
        artifactsDir: path.join(recorder.dir, "artifacts"),
        pull: o.pull,
        ...(o.control ? { control: o.control } : {}),
        ...(treeSync ? { workingTreeSync: treeSync } : {}),
        ...(dockerApi ? { dockerApi } : {}),
        ...(runnerSizing ? { runnerSizing } : {}),
      },
      {
        parallel: o.parallel,
        imageFor: (labels, job) => images.imageFor(labels, job),
        presentImageFor: (labels, job) => images.presentImageFor(labels, job),
        signal: controller.signal,
        environments: o.environments,
        strict: o.strict === true,
      },
    );
    exitCode = interrupts.reason ? INTERRUPT_EXIT[interrupts.reason] : result.exitCode;
    // The jobs it failed said why; the run ends with the snapshot's error itself.
    await writingWorkspace;
    emit({ type: "run.completed", runId, result: result.result, exitCode, durationMs: Date.now() - started });
  } finally {
    await services?.close().catch(() => undefined);
    o.signal?.removeEventListener("abort", onAbort);
    // Whatever a job left (a crash between create and remove) goes with the run; the job
    // containers stopped last are being removed by the engine, which replay does not wait for.
    const stopping = runtime.removals.release();
    if (!o.keep) await removeRun(docker, runId, stopping).catch(() => undefined);
    // Images the steps built live as long as the run (as on one runner VM), unless --keep-images.
    await dockerApi?.finish({ keepImages: o.keepImages ?? false }).catch(() => undefined);
    await Promise.all([reaping, writingWorkspace?.catch(() => undefined)]);
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    await Promise.all(reporters.map((r) => r.close()));
    interrupts.dispose();
  }
  return exitCode;
}

/**
 * The run's cache and artifact services, for the node and container actions of its jobs
 * (the built-ins use the stores directly). They listen on the host's address on Docker's
 * default bridge, not on 0.0.0.0: only containers reach them there, never the network
 * around the machine, and the per-run token keeps out the containers of other replays.
 */
async function startServices(host: string | undefined, stores: RunStores, emit: (e: EventInput) => void): Promise<RuntimeServer | undefined> {
  if (host === undefined) {
    emit({ type: "notice", level: "info", message: "the cache and artifact services are not started (the Docker engine has no default bridge to reach the host through); replay's built-in actions use the stores directly" });
    return undefined;
  }
  try {
    return await RuntimeServer.start({ host, caches: stores.caches, repository: stores.repository, scopes: stores.scopes, artifacts: stores.artifacts });
  } catch (e) {
    emit({ type: "notice", level: "warning", message: `the cache and artifact services did not start on ${host}: ${e instanceof Error ? e.message : String(e)}; actions other than replay's built-ins run without them` });
    return undefined;
  }
}

/** `lead` goes before the problems, and `also` (what the caller would have hinted) after its hint. */
function brokenWorkflow(problems: readonly { file: string; line: number; col: number; message: string }[], lead = "", also?: string): WorkflowInvalidError {
  const files = new Set(problems.map((p) => p.file)).size;
  return new WorkflowInvalidError(
    `${lead ? `${lead} ` : ""}${files > 1 ? `${files} workflow files do` : "the workflow does"} not load:\n${problems.map((p) => `  ${p.file}:${p.line}:${p.col}: ${p.message}`).join("\n")}`,
    { hint: `fix the lines named above; \`replay validate\` lists every problem${also ? `; ${also}` : ""}` },
  );
}

/** What a synthesized payload says beyond the repository: a pull request's base, the one workflow's file and cron. */
async function payloadContext(plan: Plan, repo: RepoInfo, base: string | undefined): Promise<Partial<PayloadOptions>> {
  const out: Partial<PayloadOptions> = {};
  if (base) {
    out.baseBranch = base;
    const sha = (await resolveCommit(repo.dir, base)) ?? (await resolveCommit(repo.dir, `origin/${base}`));
    if (sha !== undefined) out.baseSha = sha;
  }
  const only = plan.workflows.length === 1 ? plan.workflows[0]?.workflow : undefined;
  if (only) out.workflow = { file: only.file, schedule: only.on.schedule };
  return out;
}

