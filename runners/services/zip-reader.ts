import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { PassThrough, Readable as ReadableStream, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createInflateRaw } from "node:zlib";
import tar from "tar-stream";
import { crc32 } from "./zip-writer.js";

export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  directory: boolean;
}

const U32 = 0xffffffff;

/** The entries of a zip file, from its central directory (zip64 included). */
export async function readZipEntries(file: string): Promise<ZipEntry[]> {
  const fh = await open(file, "r");
  try {
    const { size } = await fh.stat();
    const tailSize = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailSize);
    await fh.read(tail, 0, tailSize, size - tailSize);
    let eocd = -1;
    for (let i = tailSize - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error("not a zip file (no end of central directory)");
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (eocd >= 20 && tail.readUInt32LE(eocd - 20) === 0x07064b50) {
      const at = Number(tail.readBigUInt64LE(eocd - 20 + 8));
      const rec = Buffer.alloc(56);
      await fh.read(rec, 0, 56, at);
      count = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    }
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error("the zip's central directory is damaged");
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const name = cd.toString("utf8", p + 46, p + 46 + nameLen);
      let compressedSize = cd.readUInt32LE(p + 20);
      let size = cd.readUInt32LE(p + 24);
      let localHeaderOffset = cd.readUInt32LE(p + 42);
      // zip64: the fields that overflowed are in the 0x0001 extra, in this order.
      let x = p + 46 + nameLen;
      const xEnd = x + extraLen;
      while (x + 4 <= xEnd) {
        const id = cd.readUInt16LE(x);
        const len = cd.readUInt16LE(x + 2);
        if (id === 0x0001) {
          let q = x + 4;
          if (size === U32) {
            size = Number(cd.readBigUInt64LE(q));
            q += 8;
          }
          if (compressedSize === U32) {
            compressedSize = Number(cd.readBigUInt64LE(q));
            q += 8;
          }
          if (localHeaderOffset === U32) localHeaderOffset = Number(cd.readBigUInt64LE(q));
        }
        x += 4 + len;
      }
      const external = cd.readUInt32LE(p + 38);
      entries.push({
        name,
        method: cd.readUInt16LE(p + 10),
        crc: cd.readUInt32LE(p + 16),
        compressedSize,
        size,
        localHeaderOffset,
        directory: name.endsWith("/") || (external & 0x10) !== 0,
      });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/** The content of one entry, inflated and checked against its CRC. */
async function entryStream(file: string, e: ZipEntry): Promise<Readable> {
  const fh = await open(file, "r");
  const h = Buffer.alloc(30);
  try {
    await fh.read(h, 0, 30, e.localHeaderOffset);
  } finally {
    await fh.close();
  }
  if (h.readUInt32LE(0) !== 0x04034b50) throw new Error(`the zip entry ${e.name} is damaged`);
  const start = e.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  const raw = e.compressedSize === 0 ? ReadableStream.from([]) : createReadStream(file, { start, end: start + e.compressedSize - 1 });
  if (e.method !== 0 && e.method !== 8) throw new Error(`the zip entry ${e.name} uses compression method ${e.method}, which replay does not read`);
  let crc = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      crc = crc32(chunk, crc);
      cb(null, chunk);
    },
    flush(cb) {
      cb(crc === e.crc ? null : new Error(`the zip entry ${e.name} is damaged (CRC mismatch)`));
    },
  });
  return e.method === 8 && e.compressedSize > 0 ? raw.pipe(createInflateRaw()).pipe(check) : raw.pipe(check);
}

/** A safe relative path for an entry, or undefined for one that would escape the folder. */
export function safeEntryPath(name: string): string | undefined {
  const n = path.posix.normalize(name.replace(/\\/g, "/")).replace(/\/+$/, "");
  if (n === "" || n === "." || n.startsWith("../") || n === ".." || path.posix.isAbsolute(n)) return undefined;
  return n;
}

/**
 * The files of a zip as a tar stream for a container, owned by `uid`/`gid` with every
 * parent folder listed (so the engine creates none as root). Files get 0644 and folders
 * 0755, as download-artifact leaves them (a zip keeps no permissions it restores).
 */
export function zipToTar(file: string, entries: readonly ZipEntry[], o: { uid: number; gid: number }): Readable {
  const pack = tar.pack();
  // The pack closes early when an entry fails; the reader gets that entry's error from here.
  const out = new PassThrough();
  pack.pipe(out);
  const now = new Date();
  void (async () => {
    const dirs = new Set<string>();
    const addDir = async (dir: string): Promise<void> => {
      if (dir === "." || dir === "" || dirs.has(dir)) return;
      await addDir(path.posix.dirname(dir));
      dirs.add(dir);
      await new Promise<void>((resolve, reject) => pack.entry({ name: `${dir}/`, type: "directory", mode: 0o755, uid: o.uid, gid: o.gid, mtime: now }, (e) => (e ? reject(e) : resolve())));
    };
    for (const e of entries) {
      const rel = safeEntryPath(e.name);
      if (rel === undefined) continue;
      if (e.directory) {
        await addDir(rel);
        continue;
      }
      await addDir(path.posix.dirname(rel));
      const content = await entryStream(file, e);
      const sink = pack.entry({ name: rel, type: "file", size: e.size, mode: 0o644, uid: o.uid, gid: o.gid, mtime: now });
      await pipeline(content, sink);
    }
    pack.finalize();
  })().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

/** One file as a tar stream (an artifact uploaded without a zip). */
export function fileToTar(file: string, name: string, sizeBytes: number, o: { uid: number; gid: number }): Readable {
  const pack = tar.pack();
  const out = new PassThrough();
  pack.pipe(out);
  const sink = pack.entry({ name, type: "file", size: sizeBytes, mode: 0o644, uid: o.uid, gid: o.gid, mtime: new Date() });
  pipeline(createReadStream(file), sink).then(
    () => pack.finalize(),
    (e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))),
  );
  return out;
}
