// The engines a replay runs its jobs on, each wired with what is its own: the connection,
// its images (checked, and built there when missing), the job containers' runtime, the
// docker actions' runtime, the jobs' scoped Docker API, the cache and artifact services
// on its bridge address, its runner sizes, and the reaping and removal of what the run
// leaves on it. One engine (the one Docker contexts or DOCKER_HOST choose) unless
// `--engine` or `.replay.yml`'s engines: name several.
import path from "node:path";
import { ReplayError, ReplayErrorInContext, UsageError } from "../../common/index.js";
import type { Job } from "../../workflows/index.js";
import { makeRunnerSizing } from "../../runners/index.js";
import type { EventInput, JobEngine, RunnerSizeMode } from "../../runners/index.js";
import type { DockerConnection, ImageName } from "../../runners/docker/index.js";
import {
  DockerActionRuntime,
  DockerContainerRuntime,
  ImageInspections,
  bridgeGateway,
  connectDocker,
  endpointUri,
  connectEngine,
  engineAnswers,
  engineResources,
  ensureImage,
  imageStatus,
  reap,
  refuseEngineWithoutOurFiles,
  removeRun,
  sendImage,
} from "../../runners/docker/index.js";
import { RunDockerApi, engineAddress } from "../../runners/docker-proxy/index.js";
import { startRunServices } from "../../runners/services/index.js";
import type { RunStores, RuntimeServer } from "../../runners/services/index.js";
import { ImageResolver } from "../image-resolver.js";
import type { ReplayConfig } from "../replay-config.js";

/** An engine of the run, wired; `name` is empty for the one engine of a plain replay. */
export interface RunEngine {
  name: string;
  slots: number;
  connection: DockerConnection;
  images: ImageResolver;
  inspections: ImageInspections;
  runtime: DockerContainerRuntime;
  actions: DockerActionRuntime;
  dockerApi: RunDockerApi | undefined;
  services?: RuntimeServer;
  /** Asked as the engine is connected, answered while the rest prepares. */
  gateway: Promise<string | undefined>;
  reaping: Promise<unknown>;
  runnerSizing: ReturnType<typeof makeRunnerSizing>;
}

export interface EngineSettings {
  runId: string;
  config: ReplayConfig;
  repoDir: string;
  /** The run's default slots per engine (`--parallel`). */
  parallel: number;
  /** `--engine`: wins over .replay.yml's engines. */
  engines?: string[] | undefined;
  runnerSize?: RunnerSizeMode | undefined;
  allowPrivileged: boolean;
  imageOverrides: Record<string, string>;
  toolCache: { volume: string; mountPath: string };
  /** The engine the caller started connecting to already (a plain replay's). */
  docker?: Promise<DockerConnection> | undefined;
  /** Notices about images, once the run can tell them. */
  notice: (message: string) => void;
}

/** The engines to run on, as the user named them, with their slots; one unnamed engine when none is named. */
export function namedEngines(s: Pick<EngineSettings, "engines" | "config" | "parallel">): { name: string; slots: number }[] {
  if (s.engines?.length) return s.engines.map((name) => ({ name, slots: s.parallel }));
  return (s.config.engines ?? []).map((e) => ({ name: e.engine, slots: e.slots ?? s.parallel }));
}

/** Connects to every engine and checks each: it sees this machine's files, and has (or can build) every job's image. */
export async function prepareEngines(jobs: readonly Job[], s: EngineSettings): Promise<[RunEngine, ...RunEngine[]]> {
  const named = namedEngines(s);
  if (named.some((n) => n.name.trim() === "")) throw new UsageError("--engine: an empty engine", "give a Docker context's name or a URL (unix://, tcp://, ssh://)");
  if (new Set(named.map((n) => n.name)).size !== named.length) {
    throw new UsageError(`an engine is named twice: ${named.map((n) => n.name).join(", ")}`, "name each engine once (--engine, or engines: in .replay.yml)");
  }
  const list = named.length ? named : [{ name: "", slots: s.parallel }];
  const where = s.engines?.length ? "--engine" : ".replay.yml's engines:";
  const connections = list.map(({ name }) =>
    name
      ? connectEngine(name).catch((e: unknown) => {
          if (!(e instanceof ReplayError)) throw e;
          throw new ReplayErrorInContext(e, `engine ${name} (${where}) does not answer: ${e.message}`, `${e.hint ?? ""}; or leave it out of ${where}`);
        })
      : (s.docker ?? connectDocker()),
  );
  for (const c of connections) c.catch(() => undefined);
  const caCertsFile = s.config.caCerts ? { caCertsFile: path.resolve(s.repoDir, s.config.caCerts) } : {};
  const engines = await Promise.all(
    list.map(async ({ name, slots }, i): Promise<RunEngine> => {
      const connection = await (connections[i] as Promise<DockerConnection>);
      const { docker, endpoint } = connection;
      const on = name ? ` on ${name}` : "";
      const gateway = bridgeGateway(docker);
      gateway.catch(() => undefined);
      // Another engine of the pool that has the image (its content-hash tag) sends it, rather
      // than this one building it (the runner image: a minute's transfer, two of building).
      const donor = async (image: ImageName): Promise<{ docker: DockerConnection["docker"]; name: string; tag: string } | undefined> => {
        for (const [j, other] of connections.entries()) {
          if (j === i) continue;
          const c = await other.catch(() => undefined);
          const st = c && (await imageStatus(c.docker, { name: image, ...caCertsFile }).catch(() => undefined));
          if (c && st?.state === "present") return { docker: c.docker, name: list[j]?.name || "this machine's engine", tag: st.tag };
        }
        return undefined;
      };
      const images = new ImageResolver({
        overrides: s.imageOverrides,
        build: async (image) => {
          // Without the base image here, the status says so by throwing: another engine may have the image.
          const here = await imageStatus(docker, { name: image, ...caCertsFile }).catch((e: unknown) => (list.length === 1 ? Promise.reject(e) : undefined));
          const from = here?.state === "present" || list.length === 1 ? undefined : await donor(image);
          if (from) {
            s.notice(`image ${image}${on}: sent from ${from.name} (${from.tag}, docker save/load through the engines' APIs)`);
            await sendImage(from.docker, docker, from.tag);
            return from.tag;
          }
          return ensureImage(docker, { name: image, ...caCertsFile, onProgress: (line, layer) => s.notice(`image ${layer}${on}: ${line}`) });
        },
        status: async (image) => {
          if (list.length === 1) return imageStatus(docker, { name: image, ...caCertsFile });
          const here = await imageStatus(docker, { name: image, ...caCertsFile }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
          if (!(here instanceof Error) && here.state === "present") return here;
          // Not here: one another engine has can come from there, buildable here or not.
          const from = await donor(image);
          if (from) return { name: image, state: "buildable", tag: from.tag, sources: [] };
          if (here instanceof Error) throw here;
          return here;
        },
        notice: (message) => s.notice(`${message}${on}`),
      });
      // An engine that does not see this machine's files (a remote one) refuses the replay now,
      // not with a missing-file error once the first job has started; asked beside the images.
      const seesFiles = refuseEngineWithoutOurFiles(docker, endpointUri(endpoint));
      seesFiles.catch(() => undefined);
      // A job needing an image that is neither here nor buildable here refuses the replay now.
      await images.preflight(jobs);
      await seesFiles;
      const inspections = new ImageInspections(docker);
      images.whenPresent(jobs, inspections.inspect);
      const address = engineAddress(endpoint);
      return {
        name,
        slots,
        connection,
        images,
        inspections,
        runtime: new DockerContainerRuntime(docker, {
          stepAgent: process.env["REPLAY_STEP_AGENT"] !== "0",
          ...(process.env["REPLAY_STEP_AGENT"] === "node" ? { nativeAgent: false } : {}),
          toolCache: s.toolCache,
        }),
        actions: new DockerActionRuntime(docker),
        dockerApi: address ? new RunDockerApi(address, s.runId, s.allowPrivileged) : undefined,
        gateway,
        // What crashed replays left goes while this one starts (their labels name a dead
        // process; this run's never match).
        reaping: reap(docker, { all: false }).catch(() => undefined),
        runnerSizing: makeRunnerSizing(s.runnerSize, s.config, () => engineResources(docker)),
      };
    }),
  );
  return engines as [RunEngine, ...RunEngine[]];
}

/** Each engine's cache and artifact services, on its own bridge address; their tokens masked. */
export async function startEngineServices(engines: RunEngine[], stores: RunStores, emit: (e: EventInput) => void, mask: (token: string) => void): Promise<void> {
  await Promise.all(
    engines.map(async (e) => {
      const services = await startRunServices(await e.gateway, stores, e.name ? (ev) => emit(ev.type === "notice" ? { ...ev, message: `${e.name}: ${ev.message}` } : ev) : emit);
      if (!services) return;
      e.services = services;
      // As the runner does: the token never shows in a log.
      mask(services.token);
    }),
  );
}

/** The engines as the runners take them: each job cell's deps on its engine. */
export function jobEngines(engines: readonly RunEngine[], actionsOf: (e: RunEngine) => NonNullable<JobEngine["deps"]["actions"]>): JobEngine[] {
  return engines.map((e) => ({
    name: e.name,
    slots: e.slots,
    imageFor: (labels, job) => e.images.imageFor(labels, job),
    presentImageFor: (labels, job) => e.images.presentImageFor(labels, job),
    answers: () => engineAnswers(e.connection.docker),
    deps: {
      runtime: e.runtime,
      imageEnv: e.inspections.env,
      imageUser: e.inspections.user,
      ...(e.dockerApi ? { dockerApi: e.dockerApi } : {}),
      ...(e.runnerSizing ? { runnerSizing: e.runnerSizing } : {}),
      ...(e.services ? { actionRuntimeEnv: e.services.actionRuntimeEnv(), oidcEnv: e.services.oidcEnv() } : {}),
      actions: actionsOf(e),
    },
  }));
}

/** What the run leaves on each engine goes with it (unless --keep); images its steps built too, unless --keep-images. */
export async function closeEngines(engines: readonly RunEngine[], runId: string, o: { keep: boolean; keepImages: boolean }): Promise<void> {
  await Promise.all(
    engines.map(async (e) => {
      await e.services?.close().catch(() => undefined);
      // The job containers stopped last are being removed by the engine, which replay does not wait for.
      const stopping = e.runtime.removals.release();
      if (!o.keep) await removeRun(e.connection.docker, runId, stopping).catch(() => undefined);
      await e.dockerApi?.finish({ keepImages: o.keepImages }).catch(() => undefined);
      await e.reaping;
    }),
  );
}
