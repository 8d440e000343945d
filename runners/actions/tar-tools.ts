import { createHash } from "node:crypto";
import { lstat, readFile, readdir, readlink } from "node:fs/promises";
import path from "node:path";
import { PassThrough } from "node:stream";
import type { Readable } from "node:stream";
import tar from "tar-stream";

// Tar streams are how files move into and out of containers (the engine's archive API).

function addEntry(pack: tar.Pack, header: tar.Headers, body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}

/** Numeric owner for files copied into the container: the steps' user where it is numeric, else the runner's 1001. */
export function ownerOf(user: string): { uid: number; gid: number } {
  if (user === "root") return { uid: 0, gid: 0 };
  const n = Number(user.split(":")[0]);
  return Number.isInteger(n) && n >= 0 ? { uid: n, gid: n } : { uid: 1001, gid: 1001 };
}

/**
 * A host folder as a tar whose entries sit under `prefix` (e.g. `_actions/o/r/v1`), owned
 * by `uid`/`gid`, so that the runner user can read (and a node action write) it.
 */
export async function packDir(dir: string, prefix: string, owner: { uid: number; gid: number }): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  const mtime = new Date(0);
  const parts = prefix.split("/").filter(Boolean);
  for (let i = 1; i <= parts.length; i++) await addEntry(pack, { name: `${parts.slice(0, i).join("/")}/`, type: "directory", mode: 0o755, mtime, ...owner });
  const walk = async (rel: string): Promise<void> => {
    const entries = (await readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      const name = [...parts, relPath].join("/");
      const full = path.join(dir, relPath);
      const st = await lstat(full);
      if (st.isDirectory()) {
        await addEntry(pack, { name: `${name}/`, type: "directory", mode: st.mode & 0o7777, mtime, ...owner });
        await walk(relPath);
      } else if (st.isSymbolicLink()) {
        await addEntry(pack, { name, type: "symlink", linkname: await readlink(full), mode: 0o777, mtime, ...owner });
      } else if (st.isFile()) {
        await addEntry(pack, { name, mode: st.mode & 0o7777, mtime, ...owner }, await readFile(full));
      }
    }
  };
  await walk("");
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/**
 * Copies a tar stream entry by entry, renaming each (`rename` answers undefined to drop
 * it). A hash of what passes (names, modes, link targets, contents) is available when
 * the stream has ended, for naming images after their build context.
 */
export function retar(input: Readable, rename: (name: string) => string | undefined): { stream: Readable; digest: Promise<string> } {
  const extract = tar.extract();
  const pack = tar.pack();
  const hash = createHash("sha256");
  const out = new PassThrough();
  let settle: { resolve: (d: string) => void; reject: (e: unknown) => void } | undefined;
  const digest = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const fail = (e: unknown): void => {
    settle?.reject(e);
    out.destroy(e instanceof Error ? e : new Error(String(e)));
  };
  extract.on("entry", (header: tar.Headers, body: Readable, next: (err?: unknown) => void) => {
    const name = rename(header.name);
    if (name === undefined || name === "" || name === "/") {
      body.on("end", () => next());
      body.resume();
      return;
    }
    const field = (s: string): void => {
      hash.update(`${Buffer.byteLength(s)}:`);
      hash.update(s);
    };
    field(`${header.type ?? "file"} ${name} ${((header.mode ?? 0) & 0o111) ? "x" : "-"} ${header.linkname ?? ""}`);
    const entry = pack.entry({ ...header, name }, (err) => (err ? fail(err) : next()));
    body.on("data", (c: Buffer) => hash.update(c));
    body.pipe(entry);
  });
  extract.on("finish", () => {
    pack.finalize();
    settle?.resolve(hash.digest("hex"));
  });
  extract.on("error", fail);
  input.on("error", fail);
  pack.on("error", fail);
  pack.pipe(out);
  input.pipe(extract);
  return { stream: out, digest };
}

/** Reads a whole stream (a tar of an action folder is small). */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

/** Renames `<top>/rest` to `<to>/rest` (the top folder of a copyOut), dropping what `skip` names. */
export function moveTop(to: string, skip: (rest: string) => boolean = () => false): (name: string) => string | undefined {
  return (name) => {
    const clean = name.replace(/^\.\//, "");
    const slash = clean.indexOf("/");
    const rest = slash < 0 ? "" : clean.slice(slash + 1);
    if (skip(rest)) return undefined;
    if (rest === "") return to ? `${to}/` : undefined;
    return to ? `${to}/${rest}` : rest;
  };
}
