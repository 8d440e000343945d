import { createReadStream, createWriteStream, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import type { Stats } from "node:fs";
import { lstat, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { setImmediate } from "node:timers/promises";
import tar from "tar-stream";
import type { Readable } from "node:stream";
import { BugError, processOutput, streamProcess } from "../common/index.js";

/**
 * The working tree's tracked files (uncommitted changes included), exactly HEAD, or
 * exactly one commit: what a push sends, with `.git` checked out at that commit (on
 * `ref` when it is a branch, detached otherwise), as actions/checkout leaves it.
 */
export type SnapshotSource = "worktree" | "HEAD" | { commit: string; ref?: string };

/**
 * Where a job's container unpacks the snapshot as it starts, relative to the runner's work
 * folder: beside the workspace, which stays empty (as on GitHub) until actions/checkout
 * moves the snapshot in, a rename. Its parent is root's alone (0700), so that a step
 * before the checkout cannot read the code there either.
 */
export const SNAPSHOT_STAGING = "_replay/snapshot";

export interface SnapshotOptions {
  repoDir: string;
  source: SnapshotSource;
  /** Where the repository goes, relative to the archive root, e.g. `repo/repo`. */
  prefix: string;
  uid: number;
  gid: number;
  /** Empty folders the runner user owns, relative to the archive root (the workspace). */
  emptyDirs?: string[];
  /** Folders only root may enter (0700), relative to the archive root: the first parts of `prefix`. */
  rootOnlyDirs?: string[];
  /** Further files, relative to the archive root (the event payload, …). */
  extraFiles?: { path: string; content: string | Buffer; mode?: number }[];
  /**
   * The history as actions/checkout's default clone (fetch-depth 1) leaves it: the
   * commit's parents hidden by `.git/shallow`, marked replay's by `.git/replay-shallow`
   * (a checkout asking for another depth replaces the marks). Left out when the
   * repository is shallow itself or the commit has no parent.
   */
  depthOne?: boolean;
}

/**
 * Writes the job workspace as one tar file, built once per run and copied into every
 * job's container: the repository (the working tree's tracked files, exactly HEAD, or
 * one commit) and its `.git`, owned by the runner user, so that jobs never touch the
 * user's tree.
 */
export async function writeWorkspaceTar(outFile: string, o: SnapshotOptions): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(outFile));
  const owner = { uid: o.uid, gid: o.gid, uname: "runner", gname: "runner" };
  const mtime = new Date();
  const dirs = new Set<string>();
  const addDir = async (dir: string): Promise<void> => {
    if (dir === "" || dir === "." || dirs.has(dir)) return;
    await addDir(path.posix.dirname(dir));
    dirs.add(dir);
    await entry(pack, { name: `${dir}/`, type: "directory", mode: 0o755, mtime, ...owner });
  };

  for (const dir of o.rootOnlyDirs ?? []) {
    await addDir(path.posix.dirname(dir));
    dirs.add(dir);
    await entry(pack, { name: `${dir}/`, type: "directory", mode: 0o700, mtime, uid: 0, gid: 0, uname: "root", gname: "root" });
  }
  for (const dir of o.emptyDirs ?? []) await addDir(dir);
  await addDir(o.prefix);
  if (o.source === "worktree") await addWorktree(o, pack, addDir, owner);
  else await addCommit(o, o.source === "HEAD" ? "HEAD" : o.source.commit, pack, addDir, owner);
  // For one commit, .git's HEAD and index are that commit's, not the user's.
  const gitFiles = typeof o.source === "object" ? await commitGitFiles(o.repoDir, o.source) : new Map<string, Buffer>();
  if (o.depthOne) for (const [f, content] of [...(await depthOneFiles(o.repoDir, typeof o.source === "object" ? o.source.commit : "HEAD")), ...(await tagFiles(o.repoDir, o.source))]) gitFiles.set(f, content);
  const config = await readFile(path.join(o.repoDir, ".git", "config"), "utf8").catch(() => undefined);
  const cleaned = config === undefined ? undefined : withoutCredentials(config);
  if (cleaned !== config && cleaned !== undefined) gitFiles.set("config", Buffer.from(cleaned));
  const skip = new Set([...gitFiles.keys()].map((f) => `${o.prefix}/.git/${f}`));
  if (o.depthOne) skip.add(`${o.prefix}/.git/refs/tags`);
  await addTree(path.join(o.repoDir, ".git"), `${o.prefix}/.git`, pack, addDir, owner, skip);
  for (const [f, content] of gitFiles) {
    await addDir(path.posix.dirname(`${o.prefix}/.git/${f}`));
    await entry(pack, { name: `${o.prefix}/.git/${f}`, mode: 0o644, mtime, ...owner }, content);
  }
  for (const f of o.extraFiles ?? []) {
    await addDir(path.posix.dirname(f.path));
    await entry(pack, { name: f.path, mode: f.mode ?? 0o644, mtime, ...owner }, Buffer.from(f.content));
  }
  pack.finalize();
  await done;
}

type Owner = { uid: number; gid: number; uname: string; gname: string };
type AddDir = (dir: string) => Promise<void>;

function entry(pack: tar.Pack, header: tar.Headers, body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}

/** Files bigger than this are streamed into the archive instead of held in memory. */
const STREAM_ABOVE_BYTES = 4 * 1024 * 1024;
/** Entries between two turns of the event loop (the archive's writes, a Ctrl-C). */
const ENTRIES_PER_TURN = 100;

/** A file on disk as the archive takes it: undefined when it is gone (deleted in the working tree). */
type ReadFile = { st: Stats; link?: string; content?: Buffer } | undefined;

// Synchronous on purpose: a repository's files are small and mostly in the page cache,
// and each promise-based stat and read went through the thread pool and back, one file
// after the other: the archive of a repository of 1,350 entries (its .git included) took
// 0.55-0.75 s, now 0.25-0.3 s on a busy 2-core machine.
function readOne(abs: string): ReadFile {
  let st: Stats;
  try {
    st = lstatSync(abs);
  } catch {
    return undefined;
  }
  if (st.isSymbolicLink()) return { st, link: readlinkSync(abs) };
  if (st.isFile() && st.size <= STREAM_ABOVE_BYTES) return { st, content: readFileSync(abs) };
  return { st };
}

/** A file or folder to archive: its path on disk and its name in the archive. */
type Item = { abs: string; name: string; dir?: boolean };

/** Adds the items in their order. */
async function addItems(pack: tar.Pack, items: readonly Item[], addDir: AddDir, owner: Owner): Promise<void> {
  for (const [i, item] of items.entries()) {
    if (i > 0 && i % ENTRIES_PER_TURN === 0) await setImmediate();
    if (item.dir) {
      await addDir(item.name);
      continue;
    }
    const read = readOne(item.abs);
    if (read) await addRead(pack, item.abs, item.name, read, addDir, owner);
  }
}

async function addRead(pack: tar.Pack, abs: string, name: string, read: NonNullable<ReadFile>, addDir: AddDir, owner: Owner): Promise<void> {
  const { st } = read;
  await addDir(path.posix.dirname(name));
  if (read.link !== undefined) {
    await entry(pack, { name, type: "symlink", linkname: read.link, mode: 0o777, mtime: st.mtime, ...owner });
  } else if (read.content) {
    await entry(pack, { name, mode: st.mode & 0o777, mtime: st.mtime, ...owner }, read.content);
  } else if (st.isFile()) {
    await new Promise<void>((resolve, reject) => {
      const w = pack.entry({ name, size: st.size, mode: st.mode & 0o777, mtime: st.mtime, ...owner }, (err) => (err ? reject(err) : resolve()));
      createReadStream(abs).pipe(w);
    });
  }
}

async function addWorktree(o: SnapshotOptions, pack: tar.Pack, addDir: AddDir, owner: Owner): Promise<void> {
  // -s gives the mode, so submodule entries (gitlinks, 160000) are known.
  const stdout = await processOutput("git", ["ls-files", "-s", "-z"], { cwd: o.repoDir });
  const files = stdout
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf("\t");
      return { mode: line.slice(0, 6), file: line.slice(tab + 1) };
    });
  // A submodule is an empty folder, as a clone leaves it (checkout's `submodules` fills it).
  const items = files.map((f): Item => (f.mode === "160000" ? { abs: "", name: `${o.prefix}/${f.file}`, dir: true } : { abs: path.join(o.repoDir, f.file), name: `${o.prefix}/${f.file}` }));
  const unique = [...new Map(items.map((i) => [i.name, i])).values()];
  await addItems(pack, unique, addDir, owner);
}

/**
 * Your clone's git config without the credentials it may hold: a password or token in a
 * URL (`https://token@host/…`, `scheme://user:password@host/…`) and `http.*.extraheader`
 * (actions/checkout's own way to keep its token). A job's steps print what they like, and
 * checkout persists only the job's own token (`persist-credentials`), never yours.
 */
export function withoutCredentials(config: string): string {
  return config
    .split("\n")
    .filter((line) => !/^\s*extraheader\s*=/i.test(line))
    .map((line) => line.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^/@\s"]+)@/gi, (all, scheme: string, user: string) => (/^https?:\/\/$/i.test(scheme) || user.includes(":") ? scheme : all)))
    .join("\n");
}

/** `.git/HEAD`, the branch's ref and an index matching the commit, by path inside .git. */
async function commitGitFiles(repoDir: string, source: { commit: string; ref?: string }): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const branch = source.ref?.startsWith("refs/heads/") ? source.ref : undefined;
  files.set("HEAD", Buffer.from(branch ? `ref: ${branch}\n` : `${source.commit}\n`));
  if (branch) files.set(branch, Buffer.from(`${source.commit}\n`));
  const tmp = await mkdtemp(path.join(os.tmpdir(), "replay-index-"));
  try {
    const index = path.join(tmp, "index");
    await processOutput("git", ["read-tree", source.commit], { cwd: repoDir, env: { GIT_INDEX_FILE: index } });
    files.set("index", await readFile(index));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return files;
}

/** `.git/shallow` and replay's mark for a history of depth 1 at `commit`; none when it cannot be. */
async function depthOneFiles(repoDir: string, commit: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  if (existsSync(path.join(repoDir, ".git", "shallow"))) return files;
  const [sha, ...parents] = (await processOutput("git", ["rev-list", "--max-count=1", "--parents", commit], { cwd: repoDir })).split(" ");
  if (!sha || parents.length === 0) return files;
  files.set("shallow", Buffer.from(`${sha}\n`));
  files.set("replay-shallow", Buffer.alloc(0));
  return files;
}

/**
 * The tags as checkout's default clone has them (it fetches with `--no-tags`): none but
 * the one it checks out (a tag's run: HEAD detached at a tag, or a commit at refs/tags/…),
 * as a loose ref; `packed-refs` without the others. (The caller leaves out refs/tags.)
 * A checkout that fetches tags takes them from your clone (checkout-tags.ts).
 */
async function tagFiles(repoDir: string, source: SnapshotSource): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const packedFile = path.join(repoDir, ".git", "packed-refs");
  if (existsSync(packedFile)) {
    let dropping = false;
    const kept = readFileSync(packedFile, "utf8")
      .split("\n")
      .filter((line) => {
        // A `^<sha>` line peels the tag above it.
        if (!line.startsWith("^")) dropping = line.includes(" refs/tags/");
        return !dropping;
      });
    files.set("packed-refs", Buffer.from(kept.join("\n")));
  }
  const headFile = path.join(repoDir, ".git", "HEAD");
  const detached = existsSync(headFile) && !readFileSync(headFile, "utf8").startsWith("ref:");
  const checkedOut = typeof source === "object" ? (source.ref?.startsWith("refs/tags/") ? source.ref : undefined) : detached ? "refs/tags" : undefined;
  if (checkedOut) {
    const commit = typeof source === "object" ? source.commit : "HEAD";
    const out = await processOutput("git", ["for-each-ref", `--points-at=${commit}`, "--format=%(objectname) %(refname)", checkedOut], { cwd: repoDir });
    for (const [sha = "", ref = ""] of out.split("\n").map((l) => l.split(" "))) if (ref) files.set(ref, Buffer.from(`${sha}\n`));
  }
  return files;
}

async function addCommit(o: SnapshotOptions, commit: string, pack: tar.Pack, addDir: AddDir, owner: Owner): Promise<void> {
  const archive = streamProcess("git", ["archive", "--format=tar", commit], { cwd: o.repoDir });
  const extract = tar.extract();
  const finished = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header: tar.Headers, stream: Readable, next: (e?: unknown) => void) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const name = `${o.prefix}/${header.name.replace(/\/$/, "")}`;
        const write = async (): Promise<void> => {
          if (header.type === "directory") return addDir(name);
          await addDir(path.posix.dirname(name));
          if (header.type === "pax-global-header") return;
          await entry(pack, { ...header, name, ...owner }, Buffer.concat(chunks));
        };
        write().then(() => next(), next);
      });
      stream.on("error", next);
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  if (!archive.child.stdout) throw new BugError("git archive gave no output");
  archive.child.stdout.pipe(extract);
  await Promise.all([finished, archive.done]);
}

/** A folder and everything in it, depth first, each folder's names sorted; `skip` by archive name. */
async function addTree(abs: string, name: string, pack: tar.Pack, addDir: AddDir, owner: Owner, skip: ReadonlySet<string> = new Set()): Promise<void> {
  if (skip.has(name)) return;
  const st = await lstat(abs).catch(() => undefined);
  if (!st) return;
  if (!st.isDirectory()) return addItems(pack, [{ abs, name }], addDir, owner);
  await addDir(name);
  await addItems(pack, listTree(abs, name, skip), addDir, owner);
}

/** What is under a folder, in addTree's order (read synchronously, as the files are). */
function listTree(abs: string, name: string, skip: ReadonlySet<string>): Item[] {
  const entries = readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return entries.flatMap((e) => {
    const item = { abs: path.join(abs, e.name), name: `${name}/${e.name}`, dir: e.isDirectory() };
    if (skip.has(item.name)) return [];
    return item.dir ? [item, ...listTree(item.abs, item.name, skip)] : [item];
  });
}

/** The run's workspace snapshot, written once, when the first job asks for it. */
export interface RunWorkspace {
  /** Where the snapshot's tar file is. */
  readonly file: string;
  /** Starts writing it (the first call) and answers when it is written. */
  ready(): Promise<void>;
  /** Settles once a write that was started is over, either way; at once when none was. */
  settled(): Promise<void>;
  /** A write's error, if one was started and failed; nothing when none was started. */
  written(): Promise<void>;
}

/**
 * The snapshot is written once the first job's container is created, while it starts
 * (the container waits for it): writing it sooner (~40 ms of this thread for a small
 * repository, git's start included) only delayed that container's creation. One that
 * cannot be written (git failing) fails the jobs; a run whose jobs all were skipped
 * writes none.
 */
export function runWorkspace(file: string, options: SnapshotOptions): RunWorkspace {
  let writing: Promise<void> | undefined;
  return {
    file,
    ready() {
      if (!writing) {
        writing = writeWorkspaceTar(file, options);
        writing.catch(() => undefined);
      }
      return writing;
    },
    settled: async () => void (await writing?.catch(() => undefined)),
    written: async () => void (await writing),
  };
}
