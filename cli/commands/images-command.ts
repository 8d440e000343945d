import { existsSync, readFileSync } from "node:fs";
import { statfs } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ImageUnavailableError, UsageError } from "../../common/index.js";
import {
  connectEngine,
  DEFAULT_BASE_IMAGE,
  IMAGE_NAMES,
  ImageNotBuildableError,
  engineFacts,
  ensureImage,
  findPackageRoot,
  imageId,
  imageStatus,
  imageToolchains,
  isImageName,
  listReplayImages,
  lockToolchains,
  untaggedReplayImages,
  readImageToolchains,
  resolveCaCertsFile,
  resolveDockerContext,
} from "../../runners/docker/index.js";
import type { DockerConnection, EngineFacts, ImageName, ImageStatus, LayerEvent, RecordedToolchain } from "../../runners/docker/index.js";

// `replay images build|ls|lock` and `replay doctor`. Each prints a table for people, or
// with --json one JSON document (build: one JSON line per layer event, as it happens).

type Out = (text: string) => void;

export interface ImagesCommandContext {
  docker: DockerConnection["docker"];
  /** Which engine answered, as connectDocker describes it. */
  engine: string;
  json: boolean;
  out: Out;
  caCertsFile?: string;
  /** The engines replays spread over (`--engine`, .replay.yml's engines:), which doctor lists. */
  engines?: string[];
}

function parseNames(names: readonly string[]): ImageName[] {
  for (const n of names) {
    if (!isImageName(n)) throw new UsageError(`no image '${n}'`, `replay's images are ${IMAGE_NAMES.join(", ")}`);
  }
  return names.length ? (names as ImageName[]) : [...IMAGE_NAMES];
}

const ca = (c: ImagesCommandContext): { caCertsFile?: string } => (c.caCertsFile ? { caCertsFile: c.caCertsFile } : {});

/**
 * Builds the named images (default: all), each after its missing ancestors; an image
 * already there is skipped. A named image that cannot be built here is refused (exit 2);
 * without names, those are listed and the rest built.
 */
export async function imagesBuild(c: ImagesCommandContext, names: readonly string[]): Promise<number> {
  const wanted = parseNames(names);
  const explicit = names.length > 0;
  const seen = new Set<string>();
  const onLayer = (e: LayerEvent): void => {
    const key = `${e.state} ${e.tag}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (c.json) c.out(`${JSON.stringify({ type: `image.${e.state}`, at: new Date().toISOString(), image: e.layer, tag: e.tag, ...(e.state === "built" ? { durationMs: e.durationMs } : {}) })}\n`);
    else if (e.state === "present") c.out(`${e.layer.padEnd(10)} ${e.tag}  present, skipped\n`);
    else if (e.state === "building") c.out(`${e.layer.padEnd(10)} ${e.tag}  building…\n`);
    else c.out(`${e.layer.padEnd(10)} ${e.tag}  built in ${(e.durationMs / 1000).toFixed(0)} s\n`);
  };
  let unbuildable = 0;
  for (const name of wanted) {
    try {
      await ensureImage(c.docker, { name, ...ca(c), onLayer });
    } catch (e) {
      if (!(e instanceof ImageNotBuildableError) || explicit) throw e;
      unbuildable++;
      if (c.json) c.out(`${JSON.stringify({ type: "image.unbuildable", at: new Date().toISOString(), image: name, reason: e.reason })}\n`);
      else c.out(`${name.padEnd(10)} not buildable here: ${e.reason}\n`);
    }
  }
  if (unbuildable && !c.json) c.out(`${unbuildable} image(s) cannot be built on this machine; \`replay doctor\` says why\n`);
  return 0;
}

interface ListedImage {
  name: ImageName;
  tag: string;
  sizeBytes: number;
  createdAt: string;
  /** The tag the current Dockerfiles, manifest and parents give (older ones are leftovers). */
  current: boolean;
  toolchains: Record<string, RecordedToolchain>;
}

/**
 * The tags the current Dockerfiles, manifest, CA certificates and parents give, of the
 * images that are here. No network: whether a tag is current depends only on what is here.
 */
async function currentTags(c: ImagesCommandContext): Promise<Set<string>> {
  const tags = new Set<string>();
  for (const name of IMAGE_NAMES) {
    const s = await imageStatus(c.docker, { name, ...ca(c), probe: () => Promise.resolve({ ok: true }) }).catch(() => undefined);
    if (s?.state === "present") tags.add(s.tag);
  }
  return tags;
}

/** Every image replay built: tag, size, and the toolchain versions recorded inside. */
export async function imagesLs(c: ImagesCommandContext): Promise<number> {
  const images = await listReplayImages(c.docker);
  const current = await currentTags(c);
  const listed: ListedImage[] = [];
  for (const i of images) {
    listed.push({ name: i.name, tag: i.tag, sizeBytes: i.sizeBytes, createdAt: i.createdAt, current: current.has(i.tag), toolchains: await readImageToolchains(c.docker, i.tag) });
  }
  listed.sort((a, b) => IMAGE_NAMES.indexOf(a.name) - IMAGE_NAMES.indexOf(b.name) || Number(b.current) - Number(a.current));
  if (c.json) {
    c.out(`${JSON.stringify({ images: listed }, null, 2)}\n`);
    return 0;
  }
  if (listed.length === 0) {
    c.out("no replay images yet; `replay images build` builds them (a replay builds what it needs on first use)\n");
    return 0;
  }
  const rows = listed.map((i) => [
    i.tag,
    formatBytes(i.sizeBytes),
    i.current ? "current" : "old",
    Object.entries(i.toolchains)
      .map(([k, t]) => `${k} ${t.version}${t.source === "npm" || t.source === "github" ? "" : ` (${t.detail ?? t.source})`}`)
      .join(", "),
  ]);
  c.out(table([["TAG", "SIZE", "STATE", "TOOLCHAINS"], ...rows]));
  return 0;
}

/**
 * `replay images prune`: removes replay's images that are not current (`images ls` says
 * old: built from older Dockerfiles, toolchains or parents) and those that lost their
 * tag. Children go before their parents; an image a container still uses is kept.
 */
export async function imagesPrune(c: ImagesCommandContext): Promise<number> {
  const current = await currentTags(c);
  const old = (await listReplayImages(c.docker)).filter((i) => !current.has(i.tag));
  old.sort((a, b) => IMAGE_NAMES.indexOf(b.name) - IMAGE_NAMES.indexOf(a.name));
  const refs = [...old.map((i) => i.tag), ...(await untaggedReplayImages(c.docker))];
  const removed: string[] = [];
  const kept: { image: string; reason: string }[] = [];
  for (const ref of refs) {
    try {
      await c.docker.getImage(ref).remove();
      removed.push(ref);
    } catch (e) {
      kept.push({ image: ref, reason: e instanceof Error ? e.message.replace(/^\(HTTP code \d+\)[^-]*- /, "").trim() : String(e) });
    }
  }
  const freed = old.filter((i) => removed.includes(i.tag)).reduce((n, i) => n + i.sizeBytes, 0);
  if (c.json) {
    c.out(`${JSON.stringify({ removed, kept, current: [...current] }, null, 2)}\n`);
    return 0;
  }
  for (const r of removed) c.out(`removed ${r}\n`);
  for (const k of kept) c.out(`kept    ${k.image}: ${k.reason}\n`);
  c.out(removed.length ? `${removed.length} image(s) removed (up to ${formatBytes(freed)} that no other image shares)\n` : "no old replay images\n");
  return 0;
}

/** `replay images lock [arg…] [--set ARG=version]`: refreshes toolchains.yml's checksums. */
export async function imagesLock(c: Pick<ImagesCommandContext, "json" | "out">, args: readonly string[], set: Record<string, string>): Promise<number> {
  const imagesDir = path.join(findPackageRoot(), "images");
  let results;
  try {
    results = await lockToolchains(imagesDir, { ...(args.length ? { only: args } : {}), set });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e), "name entries by their arg, as images/toolchains.yml spells it (NODE20, TRIVY, …)");
  }
  if (c.json) c.out(`${JSON.stringify({ manifest: path.join(imagesDir, "toolchains.yml"), toolchains: results }, null, 2)}\n`);
  else c.out(table([["ARG", "VERSION", "RESULT", ""], ...results.map((r) => [r.arg, r.version, r.outcome, r.message])]));
  const failed = results.filter((r) => r.outcome === "failed");
  if (failed.length) {
    throw new ImageUnavailableError(`${failed.length} toolchain(s) could not be locked: ${failed.map((f) => f.arg).join(", ")}`, {
      hint: failed[0]?.message ?? "",
      exitCode: 1,
    });
  }
  return 0;
}

/** An engine of the pool, as doctor finds it: its facts and replay's images on it, or why it does not answer. */
type PoolEngineReport = { name: string } & ({ ok: true; description: string; images: ImageName[] } & EngineFacts | { ok: false; reason: string });

interface DoctorReport {
  engine: { ok: boolean; description: string; context?: string } & EngineFacts;
  /** Every engine .replay.yml's engines: (or --engine) names, when some are. */
  engines?: PoolEngineReport[];
  baseImage: { image: string; present: boolean };
  images: { name: ImageName; state: ImageStatus["state"]; tag?: string; toolchains: string[]; reason?: string }[];
  caCerts: { file: string | undefined; certificates: number };
  disk: { path: string; freeBytes: number; totalBytes: number } | undefined;
  notBuildableHere: { name: ImageName; reason: string }[];
}

const LOW_DISK_BYTES = 10 * 1024 ** 3;

/** What replay needs, and whether this machine has it; never changes anything. */
export async function doctor(c: ImagesCommandContext): Promise<number> {
  const facts = await engineFacts(c.docker);
  const context = resolveDockerContext(process.env, os.homedir())?.name;
  const basePresent = (await imageId(c.docker, DEFAULT_BASE_IMAGE)) !== undefined;
  const images: DoctorReport["images"] = [];
  for (const name of IMAGE_NAMES) {
    if (!basePresent) {
      images.push({ name, state: "unbuildable", toolchains: imageToolchains(name), reason: `the base image ${DEFAULT_BASE_IMAGE} is not there` });
      continue;
    }
    const s = await imageStatus(c.docker, { name, ...ca(c) });
    images.push({ name, state: s.state, toolchains: imageToolchains(name), ...(s.tag ? { tag: s.tag } : {}), ...(s.state === "unbuildable" ? { reason: s.reason } : {}) });
  }
  const caFile = c.caCertsFile ?? resolveCaCertsFile(undefined, process.env);
  const certificates = caFile && existsSync(caFile) ? (readFileSync(caFile, "utf8").match(/-----BEGIN CERTIFICATE-----/g) ?? []).length : 0;
  const rootDir = facts.rootDir;
  const diskPath = rootDir && existsSync(rootDir) ? rootDir : undefined;
  const disk = diskPath === undefined ? undefined : await statfs(diskPath).then((s) => ({ path: diskPath, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize }));
  const pool = c.engines?.length ? await Promise.all(c.engines.map((name) => poolEngine(name, c))) : undefined;
  const report: DoctorReport = {
    engine: { ok: true, description: c.engine, ...(context === undefined ? {} : { context }), ...facts },
    ...(pool ? { engines: pool } : {}),
    baseImage: { image: DEFAULT_BASE_IMAGE, present: basePresent },
    images,
    caCerts: { file: caFile, certificates },
    disk,
    notBuildableHere: images.flatMap((i) => (i.state === "unbuildable" ? [{ name: i.name, reason: i.reason ?? "" }] : [])),
  };
  if (c.json) {
    c.out(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const e = report.engine;
  c.out(`engine       ok: ${e.product} ${e.version ?? "?"} (API ${e.apiVersion ?? "?"}) on ${e.os ?? "?"}, ${e.architecture ?? "?"}, ${e.description}${e.context === undefined ? "" : ` from Docker context ${e.context}`}; answers in ${e.pingMs} ms\n`);
  const present = images.filter((i) => i.state === "present").map((i) => i.name);
  c.out(`on it        ${present.length ? `replay images ${present.join(", ")}` : "no replay images yet (built on first use)"}\n`);
  for (const p of pool ?? []) {
    c.out(
      p.ok
        ? `engine ${p.name}: ok: ${p.product} ${p.version ?? "?"} on ${p.os ?? "?"}, ${p.architecture ?? "?"}, ${p.description}; answers in ${p.pingMs} ms; ${p.images.length ? `replay images ${p.images.join(", ")}` : "no replay images yet (built on first use)"}\n`
        : `engine ${p.name}: NOT REACHABLE: ${p.reason}\n`,
    );
  }
  c.out(`base image   ${basePresent ? `ok: ${DEFAULT_BASE_IMAGE}` : `missing: ${DEFAULT_BASE_IMAGE} (run scripts/ensure-docker.sh)`}\n`);
  c.out(`CA certs     ${caFile ? `${certificates} certificate(s) from ${caFile}, added to every image` : "none extra (set REPLAY_CA_CERTS to a PEM file behind a TLS-intercepting proxy)"}\n`);
  if (disk) c.out(`disk         ${formatBytes(disk.freeBytes)} free of ${formatBytes(disk.totalBytes)} at ${disk.path}${disk.freeBytes < LOW_DISK_BYTES ? " (low: the images need several GB)" : ""}\n`);
  c.out("images\n");
  c.out(
    table(
      images.map((i) => [
        `  ${i.name}`,
        i.state === "present" ? "ready" : i.state === "buildable" ? "ready (built on first use)" : "NOT BUILDABLE HERE",
        i.state === "unbuildable" ? (i.reason ?? "") : (i.tag ?? ""),
      ]),
    ),
  );
  for (const n of report.notBuildableHere) {
    c.out(`${n.name}: cannot be built on this machine: ${n.reason}. Jobs that need it are refused; build it with \`replay images build ${n.name}\` where those hosts answer.\n`);
  }
  return 0;
}

async function poolEngine(name: string, c: ImagesCommandContext): Promise<PoolEngineReport> {
  try {
    const { docker, description } = await connectEngine(name);
    const facts = await engineFacts(docker);
    const images: ImageName[] = [];
    for (const image of IMAGE_NAMES) if ((await imageStatus(docker, { name: image, ...ca(c) })).state === "present") images.push(image);
    return { name, ok: true, description, images, ...facts };
  } catch (e) {
    return { name, ok: false, reason: e instanceof Error ? e.message.split("\n").join("; ") : String(e) };
  }
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ").trimEnd()).join("\n") + "\n";
}

export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v >= 100 || u === 0 ? 0 : 1)} ${units[u] ?? "B"}`;
}
