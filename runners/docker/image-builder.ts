import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type Docker from "dockerode";
import { ReplayError } from "../../common/index.js";
import type { ContextFile } from "./build-context.js";
import { contextHash, readContextDir, tarContext } from "./build-context.js";
import { buildArgsFor, readToolchains } from "./toolchains.js";

// Images are named after a hash of everything that goes into them (Dockerfile folder,
// build args, extra CA certificates, the base image's ID), so an unchanged image is never
// rebuilt and a changed one never reused.

export type ImageName = "runner";

export const DEFAULT_BASE_IMAGE = "replay-base:bookworm";
export const PACKAGE_NAME = "replay-ci";
/** The name the Dockerfiles COPY extra CA certificates from; empty when there are none. */
export const EXTRA_CA_FILE = "extra-ca.crt";
export const IMAGE_LABEL = "dev.replay.image";
export const IMAGE_HASH_LABEL = "dev.replay.image.hash";

export interface EnsureImageOptions {
  name: ImageName;
  baseImage?: string;
  /**
   * PEM file of CA certificates the image should trust (a TLS-intercepting proxy's).
   * Default: REPLAY_CA_CERTS, else NODE_EXTRA_CA_CERTS when that file exists. false: none.
   */
  caCertsFile?: string | false;
  onProgress?: (line: string) => void;
  /** Where the image folders and toolchains.yml are; default: the package's images/. */
  imagesDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

const LOG_TAIL_LINES = 30;

// Two jobs asking for the same image at once share one build.
const inFlight = new WeakMap<Docker, Map<string, Promise<string>>>();

/** What ensureImage would build, and under which tag; builds nothing. */
export interface ImagePlan {
  name: ImageName;
  tag: string;
  /** sha256 of the context, build args and base image ID. */
  hash: string;
  buildArgs: Record<string, string>;
  context: readonly ContextFile[];
  caCertsFile: string | undefined;
}

export async function planImage(docker: Docker, options: EnsureImageOptions): Promise<ImagePlan> {
  const env = options.env ?? process.env;
  const baseImage = options.baseImage ?? DEFAULT_BASE_IMAGE;
  const imagesDir = options.imagesDir ?? path.join(findPackageRoot(), "images");
  const contextDir = path.join(imagesDir, options.name);
  const caCertsFile = resolveCaCertsFile(options.caCertsFile, env);

  const [files, toolchains, baseImageId] = await Promise.all([
    readContextDir(contextDir).catch((cause: unknown) => {
      throw new ReplayError("image-unavailable", `cannot read the ${options.name} image's folder ${contextDir}`, {
        hint: "reinstall replay: the Dockerfiles ship in its images/ folder",
        cause,
      });
    }),
    readToolchains(imagesDir),
    baseImageIdOf(docker, baseImage),
  ]);
  const dockerfile = files.find((f) => f.path === "Dockerfile");
  if (dockerfile === undefined) {
    throw new ReplayError("image-unavailable", `no Dockerfile in ${contextDir}`, { hint: "reinstall replay" });
  }
  const context: ContextFile[] = [
    ...files.filter((f) => f.path !== EXTRA_CA_FILE),
    { path: EXTRA_CA_FILE, mode: 0o644, content: caCertsFile === undefined ? Buffer.alloc(0) : readFileSync(caCertsFile) },
  ];
  const buildArgs = { ...buildArgsFor(dockerfile.content.toString("utf8"), toolchains), BASE_IMAGE: baseImage };
  const hash = contextHash({ files: context, buildArgs, baseImageId });
  return { name: options.name, tag: `replay-${options.name}:${hash.slice(0, 12)}`, hash, buildArgs, context, caCertsFile };
}

/** The image's tag, built first unless an image with that content already exists. */
export async function ensureImage(docker: Docker, options: EnsureImageOptions): Promise<string> {
  const plan = await planImage(docker, options);
  if ((await imageId(docker, plan.tag)) !== undefined) return plan.tag;

  let builds = inFlight.get(docker);
  if (builds === undefined) {
    builds = new Map();
    inFlight.set(docker, builds);
  }
  const running = builds.get(plan.tag);
  if (running !== undefined) return running;
  const build = buildImage(docker, plan, options.onProgress)
    .then(() => plan.tag)
    .finally(() => builds.delete(plan.tag));
  builds.set(plan.tag, build);
  return build;
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
      throw new ReplayError("image-unavailable", `the CA certificates file ${explicit} does not exist`, {
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
    if (path.dirname(dir) === dir) throw new Error(`no package.json named ${PACKAGE_NAME} above ${from}`);
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

async function imageId(docker: Docker, image: string): Promise<string | undefined> {
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
  throw new ReplayError("image-unavailable", `the base image ${image} is not there`, {
    hint: "run `scripts/ensure-docker.sh` (it builds the base image without a registry), or pass another base image",
  });
}

interface BuildMessage {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

async function buildImage(docker: Docker, plan: ImagePlan, onProgress: ((line: string) => void) | undefined): Promise<void> {
  const tail: string[] = [];
  const emit = (line: string): void => {
    tail.push(line);
    if (tail.length > LOG_TAIL_LINES) tail.shift();
    onProgress?.(line);
  };
  const failed = (message: string, cause?: unknown): ReplayError =>
    new ReplayError("image-unavailable", `building the ${plan.name} image (${plan.tag}) failed: ${message}\n${tail.map((l) => `  | ${l}`).join("\n")}`, {
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
    let pending = "";
    const handle = (raw: string): void => {
      if (raw.trim() === "") return;
      let message: BuildMessage;
      try {
        message = JSON.parse(raw) as BuildMessage;
      } catch {
        emit(raw);
        return;
      }
      if (message.error !== undefined) {
        buildError = message.errorDetail?.message ?? message.error;
        emit(buildError);
      }
      const text = message.stream ?? message.status;
      if (text !== undefined) for (const line of text.split("\n")) if (line.trim() !== "") emit(line.trimEnd());
    };
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      lines.forEach(handle);
    }
    handle(pending);
  } catch (cause) {
    throw failed(cause instanceof Error ? cause.message : String(cause), cause);
  }
  if (buildError !== undefined) throw failed(buildError);
  if ((await imageId(docker, plan.tag)) === undefined) throw failed("the engine reported success but the image is not there");
}
