import { once } from "node:events";
import type { Readable, Writable } from "node:stream";
import { createDeflateRaw } from "node:zlib";
import tar from "tar-stream";

// A streaming zip writer, laid out as upload-artifact's (archiver's) zips are: each file
// deflated, its sizes and CRC in a data descriptor after it, UTF-8 names, Unix modes,
// zip64 records only when a size or offset needs them.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Buffer, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < buf.length; i++) c = (CRC_TABLE[(c ^ (buf[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return ~c >>> 0;
}

const U32 = 0xffffffff;

function dosTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getFullYear());
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

interface CentralRecord {
  name: Buffer;
  method: number;
  time: number;
  date: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
  externalAttrs: number;
  zip64: boolean;
}

export class ZipWriter {
  private offset = 0;
  private readonly records: CentralRecord[] = [];

  constructor(
    private readonly out: Writable,
    private readonly level = 6,
  ) {}

  private async write(buf: Buffer): Promise<void> {
    this.offset += buf.length;
    if (!this.out.write(buf)) await once(this.out, "drain");
  }

  private localHeader(name: Buffer, method: number, t: { time: number; date: number }, zip64: boolean): Buffer {
    const extra = zip64 ? Buffer.alloc(20) : Buffer.alloc(0);
    if (zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(16, 2);
    }
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(zip64 ? 45 : 20, 4);
    h.writeUInt16LE(0x0808, 6); // sizes in a data descriptor; UTF-8 names
    h.writeUInt16LE(method, 8);
    h.writeUInt16LE(t.time, 10);
    h.writeUInt16LE(t.date, 12);
    if (zip64) {
      h.writeUInt32LE(U32, 18);
      h.writeUInt32LE(U32, 22);
    }
    h.writeUInt16LE(name.length, 26);
    h.writeUInt16LE(extra.length, 28);
    return Buffer.concat([h, name, extra]);
  }

  /** Adds a file whose `sizeBytes` is known (from a tar header), streaming its content. */
  async addFile(name: string, content: Readable, o: { sizeBytes: number; mode: number; mtime: Date }): Promise<void> {
    const nameBuf = Buffer.from(name, "utf8");
    const t = dosTime(o.mtime);
    const zip64 = o.sizeBytes >= U32 || this.offset >= U32;
    const offset = this.offset;
    await this.write(this.localHeader(nameBuf, 8, t, zip64));
    let crc = 0;
    let size = 0;
    let compressed = 0;
    const deflate = createDeflateRaw({ level: this.level });
    const pumped = (async () => {
      for await (const chunk of deflate as AsyncIterable<Buffer>) {
        compressed += chunk.length;
        await this.write(chunk);
      }
    })();
    for await (const chunk of content as AsyncIterable<Buffer>) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      if (!deflate.write(chunk)) await once(deflate, "drain");
    }
    deflate.end();
    await pumped;
    const dd = Buffer.alloc(zip64 ? 24 : 16);
    dd.writeUInt32LE(0x08074b50, 0);
    dd.writeUInt32LE(crc, 4);
    if (zip64) {
      dd.writeBigUInt64LE(BigInt(compressed), 8);
      dd.writeBigUInt64LE(BigInt(size), 16);
    } else {
      dd.writeUInt32LE(compressed, 8);
      dd.writeUInt32LE(size, 12);
    }
    await this.write(dd);
    this.records.push({ name: nameBuf, method: 8, ...t, crc, compressed, size, offset, externalAttrs: ((0o100000 | (o.mode & 0o7777)) << 16) >>> 0, zip64: zip64 || compressed >= U32 || size >= U32 });
  }

  async addDirectory(name: string, o: { mode: number; mtime: Date }): Promise<void> {
    const nameBuf = Buffer.from(name.endsWith("/") ? name : `${name}/`, "utf8");
    const t = dosTime(o.mtime);
    const offset = this.offset;
    const zip64 = offset >= U32;
    await this.write(this.localHeader(nameBuf, 0, t, zip64));
    const dd = Buffer.alloc(zip64 ? 24 : 16);
    dd.writeUInt32LE(0x08074b50, 0);
    await this.write(dd);
    this.records.push({ name: nameBuf, method: 0, ...t, crc: 0, compressed: 0, size: 0, offset, externalAttrs: (((0o040000 | (o.mode & 0o7777)) << 16) | 0x10) >>> 0, zip64 });
  }

  /** Writes the central directory and ends the output. */
  async finish(): Promise<number> {
    const cdStart = this.offset;
    for (const r of this.records) {
      const big = r.zip64 || r.offset >= U32;
      const extra = big ? Buffer.alloc(28) : Buffer.alloc(0);
      if (big) {
        extra.writeUInt16LE(0x0001, 0);
        extra.writeUInt16LE(24, 2);
        extra.writeBigUInt64LE(BigInt(r.size), 4);
        extra.writeBigUInt64LE(BigInt(r.compressed), 12);
        extra.writeBigUInt64LE(BigInt(r.offset), 20);
      }
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE((3 << 8) | (big ? 45 : 20), 4); // made by Unix
      h.writeUInt16LE(big ? 45 : 20, 6);
      h.writeUInt16LE(0x0808, 8);
      h.writeUInt16LE(r.method, 10);
      h.writeUInt16LE(r.time, 12);
      h.writeUInt16LE(r.date, 14);
      h.writeUInt32LE(r.crc, 16);
      h.writeUInt32LE(big ? U32 : r.compressed, 20);
      h.writeUInt32LE(big ? U32 : r.size, 24);
      h.writeUInt16LE(r.name.length, 28);
      h.writeUInt16LE(extra.length, 30);
      h.writeUInt32LE(r.externalAttrs, 38);
      h.writeUInt32LE(big ? U32 : r.offset, 42);
      await this.write(Buffer.concat([h, r.name, extra]));
    }
    const cdSize = this.offset - cdStart;
    const count = this.records.length;
    if (count >= 0xffff || cdStart >= U32 || cdSize >= U32) {
      const eocd64At = this.offset;
      const e = Buffer.alloc(56);
      e.writeUInt32LE(0x06064b50, 0);
      e.writeBigUInt64LE(44n, 4);
      e.writeUInt16LE((3 << 8) | 45, 12);
      e.writeUInt16LE(45, 14);
      e.writeBigUInt64LE(BigInt(count), 24);
      e.writeBigUInt64LE(BigInt(count), 32);
      e.writeBigUInt64LE(BigInt(cdSize), 40);
      e.writeBigUInt64LE(BigInt(cdStart), 48);
      const loc = Buffer.alloc(20);
      loc.writeUInt32LE(0x07064b50, 0);
      loc.writeBigUInt64LE(BigInt(eocd64At), 8);
      loc.writeUInt32LE(1, 16);
      await this.write(Buffer.concat([e, loc]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(Math.min(count, 0xffff), 8);
    end.writeUInt16LE(Math.min(count, 0xffff), 10);
    end.writeUInt32LE(Math.min(cdSize, U32), 12);
    end.writeUInt32LE(Math.min(cdStart, U32), 16);
    await this.write(end);
    await new Promise<void>((resolve, reject) => this.out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    return this.offset;
  }
}

/** Zips the files (and folders) of a tar stream, in their order; answers the number of files. */
export async function tarToZip(input: Readable, out: Writable, level = 6): Promise<number> {
  const zip = new ZipWriter(out, level);
  const extract = tar.extract();
  let files = 0;
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header: tar.Headers, stream: Readable, next: (e?: unknown) => void) => {
      const name = header.name.replace(/^\.\//, "");
      const mtime = header.mtime ?? new Date();
      const add =
        header.type === "file" || header.type === "contiguous-file"
          ? zip.addFile(name, stream, { sizeBytes: header.size ?? 0, mode: header.mode ?? 0o644, mtime }).then(() => void files++)
          : header.type === "directory" && name !== "" && name !== "."
            ? zip.addDirectory(name, { mode: header.mode ?? 0o755, mtime }).then(() => stream.resume())
            : Promise.resolve(stream.resume());
      add.then(() => next(), (e: unknown) => next(e));
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  input.on("error", (e) => extract.destroy(e));
  input.pipe(extract);
  await done;
  await zip.finish();
  return files;
}
