import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { BlobError, BlockBlobWriter, parseBlockList } from "./block-blob.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function writer(): BlockBlobWriter {
  const d = mkdtempSync(path.join(os.tmpdir(), "replay-blob-"));
  dirs.push(d);
  return new BlockBlobWriter(path.join(d, "blob"), path.join(d, "blocks"));
}

const b64 = (s: string): string => Buffer.from(s).toString("base64");

describe("BlockBlobWriter", () => {
  it("assembles blocks in the order of the block list, not the order they arrived", async () => {
    const w = writer();
    await w.putBlock(b64("block-2"), Readable.from([Buffer.from("CC")]));
    await w.putBlock(b64("block-0"), Readable.from([Buffer.from("AA")]));
    await w.putBlock(b64("block-1"), Readable.from([Buffer.from("BB")]));
    const xml = `<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>${b64("block-0")}</Latest><Latest>${b64("block-1")}</Latest><Latest>${b64("block-2")}</Latest></BlockList>`;
    expect(await w.putBlockList(parseBlockList(xml))).toBe(6);
    expect(readFileSync(w.target, "utf8")).toBe("AABBCC");
  });

  it("a retried block replaces the first attempt", async () => {
    const w = writer();
    await w.putBlock(b64("0"), Readable.from([Buffer.from("first")]));
    await w.putBlock(b64("0"), Readable.from([Buffer.from("retry")]));
    await w.putBlockList([b64("0")]);
    expect(readFileSync(w.target, "utf8")).toBe("retry");
  });

  it("refuses a block list naming a block never uploaded", async () => {
    const w = writer();
    await expect(w.putBlockList([b64("missing")])).rejects.toBeInstanceOf(BlobError);
  });

  it("takes a whole blob in one request", async () => {
    const w = writer();
    expect(await w.putBlob(Readable.from([Buffer.from("whole")]))).toBe(5);
  });

  it("reads Latest, Committed and Uncommitted ids in order", () => {
    expect(parseBlockList("<BlockList><Committed>a</Committed><Uncommitted>b</Uncommitted><Latest>c</Latest></BlockList>")).toEqual(["a", "b", "c"]);
  });
});
