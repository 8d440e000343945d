import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type Docker from "dockerode";
import { followBuild } from "./build-progress.js";
import { BugError, ImageUnavailableError, UsageError, caFetch } from "../../common/index.js";
import type { ContextFile } from "./build-context.js";
import { contextHash, readContextDir, tarContext } from "./build-context.js";
import { IMAGE_LAYERS } from "./image-choice.js";
import type { ImageName } from "./image-choice.js";
import { buildArgsFor, readToolchains } from "./toolchains.js";

// Images are named after a hash of everything that goes into them (Dockerfile folder,
// build args, extra CA certificates, the parent image's ID), so an unchanged image is
// never rebuilt and a changed one never reused. Layers stack (rust FROM runner,
// wasm-pack FROM rust): building one builds its missing ancestors first, and a new
// parent gives every descendant a new tag.

export type { ImageName } from "./image-choice.js";

export const DEFAULT_BASE_IMAGE = "replay-base:bookworm";
export const PACKAGE_NAME = "replay-ci";
/** The name the Dockerfiles COPY extra CA certificates from; empty when there are none. */
export const EXTRA_CA_FILE = "extra-ca.crt";
export const IMAGE_LABEL = "dev.replay.image";
export const IMAGE_HASH_LABEL = "dev.replay.image.hash";
/** Where each layer records the toolchains it installed, one JSON file per layer. */
export const TOOLCHAINS_RECORD_DIR = "/etc/replay/toolchains.d";

export interface EnsureImageOptions {
  name: ImageName;
  /** What runner is built FROM; the other layers are built FROM their parent layer. */
  baseImage?: string;
  /**
   * PEM file of CA certificates the image should trust (a TLS-intercepting proxy's).
   * Default: REPLAY_CA_CERTS, else NODE_EXTRA_CA_CERTS when that file exists. false: none.
   */
  caCertsFile?: string | false;
  /** Build log lines, with the layer being built. */
  onProgress?: (line: string, layer: ImageName) => void;
  /** Each layer of the chain: already there, building, or built. */
  onLayer?: (event: LayerEvent) => void;
  /** Where the image folders and toolchains.yml are; default: the package's images/. */
  imagesDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether a source answers; default: an HTTP HEAD from this machine (probeUrl). */
  probe?: SourceProbe;
}

export type LayerEvent =
  | { state: "present"; layer: ImageName; tag: string }
  | { state: "building"; layer: ImageName; tag: string }
  | { state: "built"; layer: ImageName; tag: string; durationMs: number };

export type ProbeResult = { ok: true } | { ok: false; error: string };
export type SourceProbe = (url: string) => Promise<ProbeResult>;

const LOG_TAIL_LINES = 30;
const PROBE_TIMEOUT_MS = 5000;

// Two jobs asking for the same image at once share one build.
const inFlight = new WeakMap<Docker, Map<string, Promise<string>>>();

/**
 * Build args that choose between sources, in order of preference: the first whose URLs
 * answer is used, unless an image built with another choice is already there (so a
 * flaky network never makes a second image of the same toolchain). REPLAY_<ARG> forces one.
 */
const SOURCE_CHOICES: Partial<Record<ImageName, { arg: string; options: readonly { value: string; urlArgs: readonly string[] }[] }>> = {
  rust: {
    arg: "RUST_SOURCE",
    options: [
      { value: "rustup", urlArgs: ["RUSTUP_URL"] },
      { value: "debian", urlArgs: ["RUST_URL"] },
    ],
  },
};

/** What ensureImage would build, and under which tag; builds nothing. */
export interface ImagePlan {
  name: ImageName;
  tag: string;
  /** sha256 of the context, build args and parent image ID. */
  hash: string;
  buildArgs: Record<string, string>;
  context: readonly ContextFile[];
  caCertsFile: string | undefined;
  /** The URLs the build downloads from (the manifest's, for the args the Dockerfile declares). */
  sources: string[];
}

interface PlanInput {
  baseImage: string;
  baseImageId: string;
  /** Values for SOURCE_CHOICES args. */
  choice?: Record<string, string>;
}

async function planLayer(options: EnsureImageOptions, input: PlanInput): Promise<ImagePlan> {
  const env = options.env ?? process.env;
  const imagesDir = options.imagesDir ?? path.join(findPackageRoot(), "images");
  const contextDir = path.join(imagesDir, options.name);
  const caCertsFile = resolveCaCertsFile(options.caCertsFile, env);

  const [files, toolchains] = await Promise.all([
    readContextDir(contextDir).catch((cause: unknown) => {
      throw new ImageUnavailableError(`cannot read the ${options.name} image's folder ${contextDir}`, {
        hint: "reinstall replay: the Dockerfiles ship in its images/ folder",
        cause,
      });
    }),
    readToolchains(imagesDir),
  ]);
  const dockerfile = files.find((f) => f.path === "Dockerfile");
  if (dockerfile === undefined) {
    throw new ImageUnavailableError(`no Dockerfile in ${contextDir}`, { hint: "reinstall replay" });
  }
  const context: ContextFile[] = [
    ...files.filter((f) => f.path !== EXTRA_CA_FILE),
    { path: EXTRA_CA_FILE, mode: 0o644, content: caCertsFile === undefined ? Buffer.alloc(0) : readFileSync(caCertsFile) },
  ];
  const manifestArgs = buildArgsFor(dockerfile.content.toString("utf8"), toolchains);
  const buildArgs: Record<string, string> = { ...manifestArgs, ...input.choice, BASE_IMAGE: input.baseImage };
  const choices = SOURCE_CHOICES[options.name];
  const unchosen = new Set(choices?.options.filter((o) => o.value !== input.choice?.[choices.arg]).flatMap((o) => o.urlArgs));
  // What answers for a download is its URL; for Debian packages, the suite's Release file.
  const sources = toolchains
    .filter((t) => manifestArgs[`${t.arg}_URL`] !== undefined && !unchosen.has(`${t.arg}_URL`))
    .map((t) => (t.apt === undefined ? t.url : `${t.url.replace(/\/+$/, "")}/dists/${t.apt.suite}/Release`));
  const hash = contextHash({ files: context, buildArgs, baseImageId: input.baseImageId });
  return { name: options.name, tag: `replay-${options.name}:${hash.slice(0, 12)}`, hash, buildArgs, context, caCertsFile, sources: [...new Set(sources)] };
}

/** Whether an image is there, can be built here, or cannot (and why). */
export type ImageStatus =
  | { name: ImageName; state: "present"; tag: string; plan: ImagePlan }
  | { name: ImageName; state: "buildable"; tag: string | undefined; sources: string[] }
  | { name: ImageName; state: "unbuildable"; tag: string | undefined; reason: string; unreachable: { url: string; error: string }[] };

/**
 * The status of an image and, through its parent, of its whole chain. Probes sources
 * only for layers that would have to be built. `tag` is undefined when a missing parent
 * makes it unknowable (it depends on the parent's image ID).
 */
export async function imageStatus(docker: Docker, options: EnsureImageOptions): Promise<ImageStatus> {
  const probe = options.probe ?? probeUrl;
  const parent = IMAGE_LAYERS[options.name].parent;
  let base: { image: string; id: string } | undefined;
  let parentStatus: ImageStatus | undefined;
  if (parent === undefined) {
    const image = options.baseImage ?? DEFAULT_BASE_IMAGE;
    base = { image, id: await baseImageIdOf(docker, image) };
  } else {
    parentStatus = await imageStatus(docker, { ...options, name: parent });
    if (parentStatus.state === "present") {
      const id = await imageId(docker, parentStatus.tag);
      if (id !== undefined) base = { image: parentStatus.tag, id };
    }
  }

  // Without the parent's ID the tag is unknown; the sources are known all the same.
  const plans = await planChoices(docker, options, base ?? { image: `replay-${parent ?? "base"}`, id: "" }, probe);
  const plan = plans.chosen;
  if (base !== undefined && plans.present) return { name: options.name, state: "present", tag: plan.tag, plan };
  const tag = base === undefined ? undefined : plan.tag;

  const results = await Promise.all(plan.sources.map(async (url) => ({ url, result: await probe(url) })));
  const unreachable = results.flatMap(({ url, result }) => (result.ok ? [] : [{ url, error: result.error }]));
  const parentProblem = parentStatus?.state === "unbuildable" ? parentStatus : undefined;
  if (unreachable.length === 0 && parentProblem === undefined) return { name: options.name, state: "buildable", tag, sources: plan.sources };
  const reasons = [
    ...(parentProblem ? [`its parent image ${parentProblem.name} cannot be built (${parentProblem.reason})`] : []),
    ...unreachable.map((u) => `${new URL(u.url).host} does not answer (${u.error})`),
  ];
  return {
    name: options.name,
    state: "unbuildable",
    tag,
    reason: [...new Set(reasons)].join("; "),
    unreachable: [...(parentProblem?.unreachable ?? []), ...unreachable],
  };
}

/** The plan for the layer, with its source choice made (see SOURCE_CHOICES). */
async function planChoices(
  docker: Docker,
  options: EnsureImageOptions,
  base: { image: string; id: string },
  probe: SourceProbe,
): Promise<{ chosen: ImagePlan; present: boolean }> {
  const input = { baseImage: base.image, baseImageId: base.id };
  const choices = SOURCE_CHOICES[options.name];
  if (choices === undefined) {
    const plan = await planLayer(options, input);
    return { chosen: plan, present: base.id !== "" && (await imageId(docker, plan.tag)) !== undefined };
  }
  const forced = (options.env ?? process.env)[`REPLAY_${choices.arg}`];
  const values = choices.options.map((o) => o.value);
  if (forced !== undefined && forced !== "" && !values.includes(forced)) {
    throw new UsageError(`REPLAY_${choices.arg}=${forced}: it must be one of ${values.join(", ")}`, { hint: `unset REPLAY_${choices.arg} to let replay choose` });
  }
  const plans = await Promise.all(
    choices.options
      .filter((o) => forced === undefined || forced === "" || o.value === forced)
      .map(async (o) => ({ option: o, plan: await planLayer(options, { ...input, choice: { [choices.arg]: o.value } }) })),
  );
  if (base.id !== "") {
    for (const { plan } of plans) if ((await imageId(docker, plan.tag)) !== undefined) return { chosen: plan, present: true };
  }
  for (const { plan } of plans) {
    const answers = await Promise.all(plan.sources.map((url) => probe(url)));
    if (answers.every((a) => a.ok)) return { chosen: plan, present: false };
  }
  // None answers: the last (the most widely reachable) says what is missing.
  const last = plans[plans.length - 1];
  if (last === undefined) throw new BugError(`no source choice for the ${options.name} image`);
  return { chosen: last.plan, present: false };
}

/** The plan of an image whose parent (if any) is there; throws when it is not. */
export async function planImage(docker: Docker, options: EnsureImageOptions): Promise<ImagePlan> {
  const status = await imageStatus(docker, options);
  if (status.state === "present") return status.plan;
  const parent = IMAGE_LAYERS[options.name].parent;
  const base = parent === undefined ? (options.baseImage ?? DEFAULT_BASE_IMAGE) : (await planImage(docker, { ...options, name: parent })).tag;
  const baseId = await imageId(docker, base);
  if (baseId === undefined) throw new ImageUnavailableError(`the ${parent ?? "base"} image ${base} is not built yet`, { hint: `run \`replay images build ${options.name}\`` });
  return (await planChoices(docker, options, { image: base, id: baseId }, options.probe ?? probeUrl)).chosen;
}

/** The image cannot be built on this machine: its sources do not answer. */
export class ImageNotBuildableError extends ImageUnavailableError {
  readonly image: ImageName;
  readonly reason: string;
  constructor(image: ImageName, reason: string, context?: string) {
    super(
      `${context ?? `the ${image} image`}, which is not built on this machine and cannot be built here: ${reason}`,
      {
        hint: `build it where those hosts answer: \`replay images build ${image}\` on a machine with network access (and replay there); or run the job in another image with --image <label>=<image> or .replay.yml's images:`,
      },
    );
    this.image = image;
    this.reason = reason;
  }
}

/**
 * The image's tag, built first (its missing ancestors too) unless an image with that
 * content already exists. Refuses with ImageNotBuildableError, before building anything,
 * when a layer that is missing cannot be built here.
 */
export async function ensureImage(docker: Docker, options: EnsureImageOptions): Promise<string> {
  const status = await imageStatus(docker, options);
  if (status.state === "present") {
    options.onLayer?.({ state: "present", layer: options.name, tag: status.tag });
    return status.tag;
  }
  if (status.state === "unbuildable") throw new ImageNotBuildableError(options.name, status.reason);
  const parent = IMAGE_LAYERS[options.name].parent;
  if (parent !== undefined) await ensureImage(docker, { ...options, name: parent });
  const plan = await planImage(docker, options);
  if ((await imageId(docker, plan.tag)) !== undefined) return plan.tag;

  let builds = inFlight.get(docker);
  if (builds === undefined) {
    builds = new Map();
    inFlight.set(docker, builds);
  }
  const running = builds.get(plan.tag);
  if (running !== undefined) return running;
  const started = Date.now();
  options.onLayer?.({ state: "building", layer: options.name, tag: plan.tag });
  const build = buildImage(docker, plan, options.onProgress ? (line) => options.onProgress?.(line, options.name) : undefined)
    .then(() => {
      options.onLayer?.({ state: "built", layer: options.name, tag: plan.tag, durationMs: Date.now() - started });
      return plan.tag;
    })
    .finally(() => builds.delete(plan.tag));
  builds.set(plan.tag, build);
  return build;
}

const probes = new Map<string, Promise<ProbeResult>>();

/**
 * Whether a URL answers from this machine: an HTTP HEAD (redirects followed) within a few
 * seconds, remembered for the process. Any answer below 400 counts, and 405 (no HEAD).
 */
export function probeUrl(url: string): Promise<ProbeResult> {
  let p = probes.get(url);
  if (p === undefined) {
    p = caFetch(url, { method: "HEAD", redirect: "follow", signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then(
      (r): ProbeResult => (r.status < 400 || r.status === 405 ? { ok: true } : { ok: false, error: `HTTP ${r.status}` }),
      (e: unknown): ProbeResult => ({ ok: false, error: describeFetchError(e) }),
    );
    probes.set(url, p);
  }
  return p;
}

function describeFetchError(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === "TimeoutError") return `no answer within ${PROBE_TIMEOUT_MS / 1000} s`;
    const cause = (e as { cause?: unknown }).cause;
    if (cause instanceof Error) return cause.message;
    return e.message;
  }
  return String(e);
}

/** Explicit option, else REPLAY_CA_CERTS (must exist), else NODE_EXTRA_CA_CERTS if it exists. */
export function resolveCaCertsFile(
  option: string | false | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (option === false) return undefined;
  const explicit = option ?? (env["REPLAY_CA_CERTS"] || undefined);
  if (explicit !== undefined) {
    if (!isFile(explicit)) {
      throw new ImageUnavailableError(`the CA certificates file ${explicit} does not exist`, {
        hint: "point REPLAY_CA_CERTS at a PEM file of the certificates to trust, or unset it",
      });
    }
    return explicit;
  }
  const nodeExtra = env["NODE_EXTRA_CA_CERTS"];
  return nodeExtra !== undefined && nodeExtra !== "" && isFile(nodeExtra) ? nodeExtra : undefined;
}

/** The nearest folder above `from` holding replay's package.json (works from src and dist). */
export function findPackageRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === PACKAGE_NAME) return dir;
      } catch {
        // Not ours, or unreadable: keep walking up.
      }
    }
    if (path.dirname(dir) === dir) throw new BugError(`no package.json named ${PACKAGE_NAME} above ${from}`);
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export async function imageId(docker: Docker, image: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(image).inspect()).Id;
  } catch (error) {
    if ((error as { statusCode?: unknown }).statusCode === 404) return undefined;
    throw error;
  }
}

async function baseImageIdOf(docker: Docker, image: string): Promise<string> {
  const id = await imageId(docker, image);
  if (id !== undefined) return id;
  throw new ImageUnavailableError(`the base image ${image} is not there`, {
    hint: "run `scripts/ensure-docker.sh` (it builds the base image without a registry), or pass another base image",
  });
}


async function buildImage(docker: Docker, plan: ImagePlan, onProgress: ((line: string) => void) | undefined): Promise<void> {
  const tail: string[] = [];
  const emit = (line: string): void => {
    tail.push(line);
    if (tail.length > LOG_TAIL_LINES) tail.shift();
    onProgress?.(line);
  };
  const failed = (message: string, cause?: unknown): ImageUnavailableError =>
    new ImageUnavailableError(`building the ${plan.name} image (${plan.tag}) failed: ${message}\n${tail.map((l) => `  | ${l}`).join("\n")}`, {
      hint: "the lines above are the end of the build log; a network failure is worth a retry (set REPLAY_CA_CERTS if a proxy intercepts TLS)",
      cause,
    });

  let buildError: string | undefined;
  try {
    const stream = await docker.buildImage(tarContext(plan.context), {
      t: plan.tag,
      buildargs: plan.buildArgs,
      labels: { [IMAGE_LABEL]: plan.name, [IMAGE_HASH_LABEL]: plan.hash },
      rm: true,
      forcerm: true,
    });
    buildError = await followBuild(stream as AsyncIterable<Buffer | string>, emit);
  } catch (cause) {
    throw failed(cause instanceof Error ? cause.message : String(cause), cause);
  }
  if (buildError !== undefined) throw failed(buildError);
  if ((await imageId(docker, plan.tag)) === undefined) throw failed("the engine reported success but the image is not there");
}
