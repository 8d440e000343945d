import type Docker from "dockerode";
import tar from "tar-stream";
import { IMAGE_HASH_LABEL, IMAGE_LABEL, TOOLCHAINS_RECORD_DIR } from "./image-builder.js";
import { isImageName } from "./image-choice.js";
import type { ImageName } from "./image-choice.js";
import { runLabels } from "./labels.js";

/** One toolchain an image's build recorded (/etc/replay/toolchains.d/<layer>.json). */
export interface RecordedToolchain {
  version: string;
  /** rustup, debian, npm, github: where it came from. */
  source: string;
  detail?: string;
}

export interface ReplayImage {
  name: ImageName;
  tag: string;
  id: string;
  sizeBytes: number;
  createdAt: string;
  hash: string | undefined;
}

/** Every image replay built, newest first (old tags stay until removed). */
export async function listReplayImages(docker: Docker): Promise<ReplayImage[]> {
  const infos = await docker.listImages({ filters: JSON.stringify({ label: [IMAGE_LABEL] }) });
  const out: ReplayImage[] = [];
  for (const info of infos) {
    const name = info.Labels?.[IMAGE_LABEL];
    if (name === undefined || !isImageName(name)) continue;
    for (const tag of info.RepoTags ?? []) {
      if (!tag.startsWith(`replay-${name}:`)) continue;
      out.push({ name, tag, id: info.Id, sizeBytes: info.Size, createdAt: new Date(info.Created * 1000).toISOString(), hash: info.Labels?.[IMAGE_HASH_LABEL] });
    }
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

/** Ids of replay's images that lost their tag (a rebuild under the same tag took it). */
export async function untaggedReplayImages(docker: Docker): Promise<string[]> {
  const infos = await docker.listImages({ filters: JSON.stringify({ label: [IMAGE_LABEL], dangling: ["true"] }) });
  return infos.map((i) => i.Id);
}

/**
 * What the image's layers recorded they installed, read from the image's files through a
 * created (never started) container, which is removed at once (labelled like a run's, so
 * `replay gc` removes it should replay die first).
 */
export async function readImageToolchains(docker: Docker, image: string): Promise<Record<string, RecordedToolchain>> {
  const container = await docker.createContainer({ Image: image, Cmd: ["true"], Labels: runLabels(`inspect-${process.pid}`) });
  try {
    let archive: NodeJS.ReadableStream;
    try {
      archive = await container.getArchive({ path: TOOLCHAINS_RECORD_DIR });
    } catch (error) {
      if ((error as { statusCode?: unknown }).statusCode === 404) return {};
      throw error;
    }
    const files = await jsonFilesOf(archive);
    const merged: Record<string, RecordedToolchain> = {};
    for (const text of files) {
      try {
        Object.assign(merged, JSON.parse(text) as Record<string, RecordedToolchain>);
      } catch {
        // A record that is not JSON says nothing; the others still count.
      }
    }
    return merged;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

function jsonFilesOf(archive: NodeJS.ReadableStream): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const extract = tar.extract();
    const texts: { name: string; text: string }[] = [];
    extract.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (header.type === "file" && header.name.endsWith(".json")) texts.push({ name: header.name, text: Buffer.concat(chunks).toString("utf8") });
        next();
      });
      stream.resume();
    });
    extract.on("finish", () => resolve(texts.sort((a, b) => (a.name < b.name ? -1 : 1)).map((t) => t.text)));
    extract.on("error", reject);
    archive.on("error", reject);
    archive.pipe(extract);
  });
}
