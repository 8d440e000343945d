import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import { afterEach, describe, expect, it } from "vitest";
import { readZipEntries, safeEntryPath, zipToTar } from "./zip-reader.js";
import { crc32, tarToZip } from "./zip-writer.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "replay-zip-"));
  dirs.push(d);
  return d;
}

/** Files of a tar stream: name -> content, with owner and mode. */
interface TarFile {
  content: string;
  uid: number | undefined;
  mode: number | undefined;
  type: string | null | undefined;
}

async function untar(stream: Readable): Promise<Map<string, TarFile>> {
  const out = new Map<string, TarFile>();
  const extract = tar.extract();
  extract.on("entry", (h: tar.Headers, s: Readable, next: () => void) => {
    const chunks: Buffer[] = [];
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("end", () => {
      out.set(h.name, { content: Buffer.concat(chunks).toString(), uid: h.uid, mode: h.mode, type: h.type });
      next();
    });
  });
  await pipeline(stream, extract);
  return out;
}

function tarOf(files: Record<string, string>): Readable {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o755 }, content);
  pack.finalize();
  return pack;
}

describe("zips", () => {
  it("crc32 is the zip CRC", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
  });

  it("a tar becomes a zip and back, byte for byte, owned by the job's user", async () => {
    const d = tmp();
    const big = "x".repeat(3 * 1024 * 1024) + "end";
    const zip = path.join(d, "a.zip");
    const n = await tarToZip(tarOf({ "a.txt": "hello", "sub/b.bin": big, "sub/deeper/c": "" }), createWriteStream(zip));
    expect(n).toBe(3);
    const entries = await readZipEntries(zip);
    expect(entries.map((e) => [e.name, e.size])).toEqual([
      ["a.txt", 5],
      ["sub/b.bin", big.length],
      ["sub/deeper/c", 0],
    ]);
    const files = await untar(zipToTar(zip, entries, { uid: 1001, gid: 1001 }));
    expect(files.get("a.txt")).toMatchObject({ content: "hello", uid: 1001, mode: 0o644 });
    expect(files.get("sub/b.bin")?.content).toBe(big);
    // Every parent folder is in the tar, so the engine creates none as root.
    expect(files.get("sub/")).toMatchObject({ type: "directory", uid: 1001 });
    expect(files.get("sub/deeper/")).toMatchObject({ type: "directory" });
  });

  it("reads the zips @actions/artifact makes (archiver, data descriptors)", async () => {
    const d = tmp();
    writeFileSync(path.join(d, "one.txt"), "one");
    const zip = path.join(d, "real.zip");
    // archiver is what @actions/artifact zips with (a dependency of it, untyped here).
    const specifier = "archiver";
    const { default: archiver } = (await import(specifier)) as { default: (f: string, o: object) => NodeJS.ReadWriteStream & { file(p: string, o: object): void; append(s: Readable, o: object): void; finalize(): Promise<void> } };
    const a = archiver("zip", { zlib: { level: 6 } });
    const out = createWriteStream(zip);
    const done = new Promise<void>((resolve) => out.on("close", () => resolve()));
    a.pipe(out);
    a.file(path.join(d, "one.txt"), { name: "one.txt" });
    a.append(Readable.from([Buffer.from("streamed")]), { name: "dir/two.txt" });
    await a.finalize();
    await done;
    const files = await untar(zipToTar(zip, await readZipEntries(zip), { uid: 0, gid: 0 }));
    expect(files.get("one.txt")?.content).toBe("one");
    expect(files.get("dir/two.txt")?.content).toBe("streamed");
  });

  it("a damaged entry fails its CRC", async () => {
    const d = tmp();
    const zip = path.join(d, "a.zip");
    await tarToZip(tarOf({ "a.txt": "hello hello hello" }), createWriteStream(zip));
    const entries = await readZipEntries(zip);
    const broken = entries.map((e) => ({ ...e, crc: e.crc ^ 1 }));
    await expect(untar(zipToTar(zip, broken, { uid: 0, gid: 0 }))).rejects.toThrow(/a.txt is damaged \(CRC mismatch\)/);
  });

  it.each<[string, string | undefined]>([
    ["a/b.txt", "a/b.txt"],
    ["./a", "a"],
    ["dir/", "dir"],
    ["../evil", undefined],
    ["a/../../evil", undefined],
    ["/etc/passwd", undefined],
  ])("entry %s is extracted as %s", (name, safe) => expect(safeEntryPath(name)).toBe(safe));
});
