import { createHash } from "node:crypto";
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import tar from "tar-stream";

// A build context held in memory: the image folder is a few small files, and holding
// them lets one pass both hash them (to name the image) and send them (to build it).

export interface ContextFile {
  /** Relative, with forward slashes. */
  path: string;
  /** 0o755 or 0o644: only whether it is executable counts, not the local umask. */
  mode: number;
  content: Buffer;
}

export async function readContextDir(dir: string): Promise<ContextFile[]> {
  const files: ContextFile[] = [];
  async function walk(rel: string): Promise<void> {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const entry of entries) {
      const relPath = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        await walk(relPath);
      } else if (entry.isFile()) {
        const full = path.join(dir, relPath);
        const { mode } = await stat(full);
        files.push({ path: relPath, mode: mode & 0o111 ? 0o755 : 0o644, content: await readFile(full) });
      }
    }
  }
  await walk("");
  return sortFiles(files);
}

export function sortFiles(files: readonly ContextFile[]): ContextFile[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** sha256 over everything that decides what the build produces. */
export function contextHash(parts: {
  files: readonly ContextFile[];
  buildArgs: Readonly<Record<string, string>>;
  baseImageId: string;
}): string {
  const hash = createHash("sha256");
  // Length-prefixed fields, so no two different inputs can concatenate to the same bytes.
  const field = (data: string | Buffer): void => {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  };
  field(`base ${parts.baseImageId}`);
  for (const name of Object.keys(parts.buildArgs).sort()) {
    field(`arg ${name}`);
    field(parts.buildArgs[name] ?? "");
  }
  for (const f of sortFiles(parts.files)) {
    field(`file ${f.path} ${f.mode.toString(8)}`);
    field(f.content);
  }
  return hash.digest("hex");
}

export function tarContext(files: readonly ContextFile[]): Readable {
  const pack = tar.pack();
  for (const f of sortFiles(files)) {
    pack.entry({ name: f.path, mode: f.mode, size: f.content.length, mtime: new Date(0) }, f.content);
  }
  pack.finalize();
  return pack;
}
