import { createReadStream, createWriteStream } from "node:fs";
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import type { Readable } from "node:stream";
import { processOutput, streamProcess } from "../common/index.js";

/**
 * The working tree's tracked files (uncommitted changes included), exactly HEAD, or
 * exactly one commit: what a push sends, with `.git` checked out at that commit (on
 * `ref` when it is a branch, detached otherwise), as actions/checkout leaves it.
 */
export type SnapshotSource = "worktree" | "HEAD" | { commit: string; ref?: string };

export interface SnapshotOptions {
  repoDir: string;
  source: SnapshotSource;
  /** Where the repository goes, relative to the archive root, e.g. `repo/repo`. */
  prefix: string;
  uid: number;
  gid: number;
  /** Further files, relative to the archive root (the event payload, …). */
  extraFiles?: { path: string; content: string | Buffer; mode?: number }[];
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

  await addDir(o.prefix);
  if (o.source === "worktree") await addWorktree(o, pack, addDir, owner);
  else await addCommit(o, o.source === "HEAD" ? "HEAD" : o.source.commit, pack, addDir, owner);
  // For one commit, .git's HEAD and index are that commit's, not the user's.
  const gitFiles = typeof o.source === "object" ? await commitGitFiles(o.repoDir, o.source) : new Map<string, Buffer>();
  await addTree(path.join(o.repoDir, ".git"), `${o.prefix}/.git`, pack, addDir, owner, new Set([...gitFiles.keys()].map((f) => `${o.prefix}/.git/${f}`)));
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

async function addFile(pack: tar.Pack, abs: string, name: string, addDir: AddDir, owner: Owner): Promise<void> {
  const st = await lstat(abs).catch(() => undefined);
  if (!st) return; // a tracked file deleted in the working tree
  await addDir(path.posix.dirname(name));
  if (st.isSymbolicLink()) {
    await entry(pack, { name, type: "symlink", linkname: await readlink(abs), mode: 0o777, mtime: st.mtime, ...owner });
  } else if (st.isFile()) {
    if (st.size > 4 * 1024 * 1024) {
      // Stream big files instead of holding them in memory.
      await new Promise<void>((resolve, reject) => {
        const w = pack.entry({ name, size: st.size, mode: st.mode & 0o777, mtime: st.mtime, ...owner }, (err) => (err ? reject(err) : resolve()));
        createReadStream(abs).pipe(w);
      });
    } else {
      await entry(pack, { name, mode: st.mode & 0o777, mtime: st.mtime, ...owner }, await readFile(abs));
    }
  }
}

async function addWorktree(o: SnapshotOptions, pack: tar.Pack, addDir: AddDir, owner: Owner): Promise<void> {
  // -s gives the mode, so submodule entries (gitlinks, 160000) can be left out.
  const stdout = await processOutput("git", ["ls-files", "-s", "-z"], { cwd: o.repoDir });
  const files = stdout
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf("\t");
      return { mode: line.slice(0, 6), file: line.slice(tab + 1) };
    })
    .filter((f) => f.mode !== "160000");
  const unique = [...new Set(files.map((f) => f.file))];
  for (const file of unique) await addFile(pack, path.join(o.repoDir, file), `${o.prefix}/${file}`, addDir, owner);
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
  if (!archive.child.stdout) throw new Error("git archive gave no output");
  archive.child.stdout.pipe(extract);
  await Promise.all([finished, archive.done]);
}

async function addTree(abs: string, name: string, pack: tar.Pack, addDir: AddDir, owner: Owner, skip: ReadonlySet<string> = new Set()): Promise<void> {
  if (skip.has(name)) return;
  const st = await lstat(abs).catch(() => undefined);
  if (!st) return;
  if (st.isDirectory()) {
    await addDir(name);
    const entries = await readdir(abs);
    for (const e of entries.sort()) await addTree(path.join(abs, e), `${name}/${e}`, pack, addDir, owner, skip);
  } else {
    await addFile(pack, abs, name, addDir, owner);
  }
}
