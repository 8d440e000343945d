// Which files a job changed in its checkout: its files as the job left them, listed in its
// container (git decides what is ignored, with the job's own .gitignore files), set beside
// what went into it (the snapshot, then what was synced in). Only what differs is read out.
import path from "node:path";
import type { Readable } from "node:stream";
import tar from "tar-stream";
import type { JobContainer } from "./job-container.js";

/** A host file as it was when it went into the job (see WorkingTreeSync). */
export type Fingerprint = { size: number; mtimeMs: number; mode: number };

/** A regular file in the job's checkout. */
export interface JobFileStat {
  size: number;
  /** Whole seconds: a tar header's precision, which the snapshot went in with. */
  mtimeS: number;
  executable: boolean;
}

export interface JobListing {
  /** The checkout's regular files git does not ignore (tracked ones always), by path. */
  files: Map<string, JobFileStat>;
  /** What git ignores there: files, and folders ending in `/`. */
  ignored: string[];
}

export interface JobChangeSet {
  changed: string[];
  added: string[];
  deleted: string[];
}

/** Exit statuses of LIST_SCRIPT that say why it could not list. */
const WHY: Record<number, string> = {
  90: "the job's container has no git",
  91: "the checkout's folder is gone",
  92: "the checkout is no longer a git repository",
  93: "the job's container has no GNU stat",
};

// One process: git lists the files (tracked, and untracked ones not ignored), stat gives
// each one's size, mtime and mode, NUL-separated; an empty record, then what git ignores
// (folders collapsed). A tracked file the job deleted has no stat: it is missing.
const LIST_SCRIPT = [
  'cd "$0" 2>/dev/null || exit 91',
  "command -v git >/dev/null 2>&1 || exit 90",
  "stat --printf '' / >/dev/null 2>&1 || exit 93",
  "g() { git -c safe.directory='*' \"$@\"; }",
  "g rev-parse --git-dir >/dev/null 2>&1 || exit 92",
  "g ls-files -z --cached --others --exclude-standard | xargs -0r stat --printf '%s %Y %f %n\\0' -- 2>/dev/null",
  "printf '\\0'",
  "g ls-files -z --others --ignored --exclude-standard --directory",
  "exit 0",
].join("\n");

/** Parses LIST_SCRIPT's output. */
export function parseListing(out: string): JobListing {
  const parts = out.split("\0");
  const sep = parts.indexOf("");
  const files = new Map<string, JobFileStat>();
  for (const record of parts.slice(0, sep < 0 ? parts.length : sep)) {
    const m = /^(\d+) (\d+) ([0-9a-f]+) (.+)$/s.exec(record);
    if (!m) continue;
    const mode = parseInt(m[3] ?? "0", 16);
    // Regular files only, as the sync takes them: a symlink's or submodule's is not a file.
    if ((mode & 0o170000) !== 0o100000) continue;
    files.set(m[4] ?? "", { size: Number(m[1]), mtimeS: Number(m[2]), executable: (mode & 0o100) !== 0 });
  }
  const ignored = sep < 0 ? [] : parts.slice(sep + 1).filter(Boolean);
  return { files, ignored };
}

/** Lists the job's checkout at `workspace` in its container; throws, saying why, when it cannot. */
export async function readJobListing(container: JobContainer, workspace: string): Promise<JobListing> {
  const chunks: Buffer[] = [];
  const code = await container.exec({
    cmd: ["sh", "-c", LIST_SCRIPT, workspace],
    env: {},
    user: "0",
    workdir: "/",
    onStdout: (b) => chunks.push(b),
    onStderr: () => undefined,
  });
  if (code !== 0) throw new Error(WHY[code] ?? `listing its files failed (exit ${code})`);
  return parseListing(Buffer.concat(chunks).toString("utf8"));
}

const differs = (f: JobFileStat, base: Fingerprint): boolean =>
  f.size !== base.size || f.mtimeS !== Math.floor(base.mtimeMs / 1000) || f.executable !== ((base.mode & 0o100) !== 0);

const isIgnored = (file: string, ignored: readonly string[]): boolean => ignored.some((i) => i === file || (i.endsWith("/") && file.startsWith(i)));

/**
 * What differs between the job's checkout and what went into it: `inJob` are the files
 * that did (as regular files), `base` their fingerprints then. A file with the size,
 * whole-second mtime and executable bit it went in with is taken as unchanged (as git's
 * and rsync's quick checks do); a changed one is compared by content afterwards.
 */
export function changesSince(base: ReadonlyMap<string, Fingerprint>, inJob: ReadonlySet<string>, listing: JobListing): JobChangeSet {
  const changed: string[] = [];
  const added: string[] = [];
  for (const [file, f] of listing.files) {
    const before = inJob.has(file) ? base.get(file) : undefined;
    if (!before) added.push(file);
    else if (differs(f, before)) changed.push(file);
  }
  // A file that is ignored now (the job changed a .gitignore) is not gone.
  const deleted = [...inJob].filter((file) => !listing.files.has(file) && !isIgnored(file, listing.ignored));
  return { changed: changed.sort(), added: added.sort(), deleted: deleted.sort() };
}

/** Reads files of the job's checkout out of its container (the engine's archive API), a few at a time. */
export async function readJobFiles(container: JobContainer, workspace: string, files: readonly string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const content = await fileOf(await container.copyOut(path.posix.join(workspace, file)));
      if (content) out.set(file, content);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, files.length) }, worker));
  return out;
}

/** The one regular file in an archive of one path, or undefined when it is something else now. */
function fileOf(archive: Readable): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const extract = tar.extract();
    let found: Buffer | undefined;
    extract.on("entry", (header: tar.Headers, stream: Readable, next: () => void) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (header.type === "file" && !found) found = Buffer.concat(chunks);
        next();
      });
    });
    extract.on("finish", () => resolve(found));
    extract.on("error", reject);
    archive.on("error", reject);
    archive.pipe(extract);
  });
}
