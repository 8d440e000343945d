// A planned replay, wired: the engine, the images, the run's stores and services, its
// Docker API and workspace, the reporters and the run record, handed to a run session
// (runners/run-session.ts), which owns the run and is the one producer of its events.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { caFetch, mark } from "../../common/index.js";
import { notePrestartInputs, takeRunTokens } from "../../common/prestart.js";
import { hashFiles, parseKeyValues } from "../../workflows/index.js";
import type { Plan } from "../../workflows/index.js";
import {
  DEFAULT_TOOL_CACHE_VOLUME,
  Masker,
  NodeInstaller,
  RunSession,
  SNAPSHOT_STAGING,
  TOOL_CACHE_MOUNT,
  WorkingTreeSync,
  deferredBuiltins,
  payloadContext,
  runPlan,
  runWorkspace,
  runnerPaths,
  synthesizePayload,
} from "../../runners/index.js";
import { findPackageRoot, runLabels } from "../../runners/docker/index.js";
import { ArtifactStore, CacheStore, cacheScopes, repositoryIdentity } from "../../runners/services/index.js";
import type { RunStores } from "../../runners/services/index.js";
import { RunRecorder, nextRunNumber } from "../../history/index.js";
import { CONFIG_FILE, readReplayConfig } from "../replay-config.js";
import { INTERRUPT_EXIT, quitLeavingRun, watchInterrupts } from "../run-interrupts.js";
import { prepareRemoteActions } from "./actions-command.js";
import { closeEngines, jobEngines, prepareEngines, startEngineServices } from "./run-engines.js";
import { readEventPayload } from "./plan-inputs.js";
import type { ExecuteOptions, PlannedReplay } from "./replay-options.js";
import { shortSecretWarnings } from "./secret-sources.js";

const SERVER_URL = "https://github.com";

/** Runs a plan on the Docker engine: images, workspace snapshot, engine, reporters, run record. */
export async function executePlan(plan: Plan, planned: PlannedReplay, o: ExecuteOptions): Promise<number> {
  const { repo, secrets, vars, inputs } = planned;
  const config = await readReplayConfig(repo.dir);
  // --image wins over .replay.yml's images.
  const imageOverrides = { ...(config.images ?? {}), ...parseKeyValues(o.image, "--image") };
  // Node releases setup-node and node24 actions need beyond the image's: in a volume kept
  // between replays (REPLAY_TOOL_CACHE_VOLUME names another), on each engine.
  const toolCache = { volume: process.env["REPLAY_TOOL_CACHE_VOLUME"] || DEFAULT_TOOL_CACHE_VOLUME, mountPath: TOOL_CACHE_MOUNT };
  // The entry's, when it started this run's first job container already (common/prestart.ts).
  const tokens = takeRunTokens();
  const runId = tokens.runId;
  // What the first job container's request is made from: the entry checks it is unchanged.
  notePrestartInputs([...new Set(plan.workflows.map((pw) => path.resolve(repo.dir, pw.workflow.file)))].concat([path.join(repo.dir, ".github/workflows"), path.join(repo.dir, CONFIG_FILE)]));
  // Notices about images go to the run once it exists (the refusals below come first).
  let imageNotice: (message: string) => void = () => undefined;
  const engines = await prepareEngines(
    plan.workflows.flatMap((pw) => pw.jobs),
    {
      runId,
      config,
      repoDir: repo.dir,
      parallel: o.parallel,
      engines: o.engines,
      runnerSize: o.runnerSize,
      allowPrivileged: o.allowPrivileged ?? false,
      imageOverrides,
      toolCache,
      docker: o.docker,
      notice: (message) => imageNotice(message),
    },
  );
  mark("images checked");
  // So does a remote action that cannot be resolved (or, --offline, is not in the cache).
  const remoteActions = await prepareRemoteActions(plan, repo.dir, o, (message) => process.stderr.write(`${message}\n`));
  const nodeInstaller = new NodeInstaller({ fetch: caFetch, script: path.join(findPackageRoot(), "images/runner/install-node.sh"), mountPath: toolCache.mountPath });

  const runNumber = await nextRunNumber(repo.dir);
  const masker = new Masker();
  for (const v of Object.values(secrets)) masker.add(v);
  if (o.githubToken) masker.add(o.githubToken);

  const recorder = await RunRecorder.create(repo.dir, runId);
  o.onRunId?.(runId);
  o.onPlan?.(plan);
  const session = new RunSession(runId, [...o.reporters, recorder], masker);
  for (const message of shortSecretWarnings(secrets)) session.warnNamingSecret(message);

  const payload = o.eventPath
    ? await readEventPayload(o.eventPath)
    : synthesizePayload({ event: o.event, repo, serverUrl: SERVER_URL, inputs, ...(await payloadContext(plan, repo, o.base)) });
  const tmp = tokens.runDir ?? (await mkdtemp(path.join(os.tmpdir(), `replay-${runId}-`)));
  // Ctrl-C, SIGTERM and a closed stdout cancel the run; a second one quits at once.
  const controller = new AbortController();
  const quit = (status: number): never => quitLeavingRun({ runId, hostRunDir: tmp, keep: o.keep, entry: process.argv[1], engines: engines.map((e) => e.name).filter(Boolean) }, status);
  const interrupts = watchInterrupts({ quit, cancelled: controller.signal });
  const onAbort = (): void => controller.abort();
  interrupts.signal.addEventListener("abort", onAbort, { once: true });
  o.signal?.addEventListener("abort", onAbort, { once: true });
  if (o.signal?.aborted) controller.abort();

  const paths = runnerPaths(repo.name);
  // The snapshot's history is at depth 1, as checkout's default clone leaves it: the
  // built-in checkout then has nothing to do for the defaults (it is told so below).
  const depthOne = true;
  const workspace = runWorkspace(path.join(tmp, "workspace.tar"), {
    repoDir: repo.dir,
    source: o.from,
    // Unpacked beside the workspace, which stays empty until a checkout moves it in.
    prefix: SNAPSHOT_STAGING,
    rootOnlyDirs: [path.posix.dirname(SNAPSHOT_STAGING)],
    emptyDirs: [path.posix.relative(paths.work, paths.workspace)],
    uid: 1001,
    gid: 1001,
    depthOne,
    extraFiles: [{ path: path.posix.relative(paths.work, paths.eventPath), content: `${JSON.stringify(payload, null, 2)}\n` }],
  });
  let exitCode = 1;
  try {
    imageNotice = (message) => session.emit({ type: "notice", level: "info", message });
    const stores: RunStores = {
      caches: new CacheStore(CacheStore.defaultRoot()),
      artifacts: new ArtifactStore(path.join(recorder.dir, "artifacts")),
      repository: repositoryIdentity(repo),
      scopes: cacheScopes({ eventName: o.event, ref: repo.ref, refName: repo.refName, defaultBranch: repo.defaultBranch, ...(o.base ? { baseBranch: o.base } : {}) }),
    };
    // Taken before the snapshot reads the tree: an edit in between is synced once more, never missed.
    const syncIn = !!o.control && o.sync !== false;
    const treeSync = o.from === "worktree" && (syncIn || o.copyBack) ? await WorkingTreeSync.baseline(repo.dir, { syncIn, ...(o.copyBack ? { copyBack: o.copyBack } : {}) }) : undefined;
    await startEngineServices(engines, stores, session.emit, (token) => masker.add(token));
    const [first] = engines;
    mark("run started");
    session.start({ event: o.event, sha: repo.sha, ref: repo.ref, workflows: plan.workflows.map((w) => w.workflow.file) });
    const result = await runPlan(
      plan,
      {
        // The first engine's, for what does not run on a job's engine; each job gets its engine's (jobEngines).
        runtime: first.runtime,
        emit: session.emit,
        masker,
        // Their code loads with the first step that runs one, past the first container's start.
        builtins: deferredBuiltins([stores, nodeInstaller, process.env["REPLAY_TOOLCHAIN_MISMATCH"] === "warn" ? "warn" : "fail"], remoteActions.disabled),
        actions: { source: remoteActions.cache, containers: first.actions, nodeInstaller },
        hostRunDir: tmp,
        workspaceTar: workspace.file,
        workspaceReady: workspace.ready,
        workspaceDepthOne: depthOne,
        labels: runLabels(runId, tokens.startedAt),
        keepFailed: o.keep,
        run: {
          runId,
          runNumber,
          runAttempt: 1,
          serverUrl: SERVER_URL,
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
        imageEnv: first.inspections.env,
        imageUser: first.inspections.user,
        artifactsDir: path.join(recorder.dir, "artifacts"),
        pull: o.pull,
        ...(o.control ? { control: o.control } : {}),
        ...(treeSync ? { workingTreeSync: treeSync } : {}),
      },
      {
        parallel: o.parallel,
        imageFor: (labels, job) => first.images.imageFor(labels, job),
        engines: jobEngines(engines, (e) => ({ source: remoteActions.cache, containers: e.actions, nodeInstaller })),
        signal: controller.signal,
        environments: o.environments,
        strict: o.strict === true,
      },
    );
    exitCode = interrupts.reason ? INTERRUPT_EXIT[interrupts.reason] : result.exitCode;
    // The jobs it failed said why; the run ends with the snapshot's error itself.
    await workspace.written();
    session.complete(result.result, exitCode);
  } catch (e) {
    session.fail(e);
    throw e;
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    // Whatever a job left (a crash between create and remove) goes with the run, on every engine.
    await closeEngines(engines, runId, { keep: o.keep, keepImages: o.keepImages ?? false });
    await workspace.settled();
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    await session.close();
    interrupts.dispose();
  }
  return exitCode;
}
