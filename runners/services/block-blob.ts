import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/**
 * The part of Azure Blob Storage's block-blob protocol the Azure SDK inside
 * @actions/cache and @actions/artifact speaks to a signed URL: Put Blob (one request),
 * or Put Block per chunk (in parallel, in any order) and Put Block List naming the
 * order. The blob is assembled in the order of the list, never in arrival order.
 */
export class BlockBlobWriter {
  constructor(
    /** Where the whole blob is written. */
    readonly target: string,
    /** Where staged blocks wait for the block list. */
    private readonly blocksDir: string,
  ) {}

  async putBlob(body: Readable): Promise<number> {
    await mkdir(path.dirname(this.target), { recursive: true });
    await pipeline(body, createWriteStream(this.target));
    return (await stat(this.target)).size;
  }

  private blockFile(blockId: string): string {
    // Block ids are base64 (with / and +): hex makes them file names.
    return path.join(this.blocksDir, Buffer.from(blockId, "utf8").toString("hex"));
  }

  async putBlock(blockId: string, body: Readable): Promise<void> {
    if (!blockId || blockId.length > 1024) throw new BlobError(400, "InvalidQueryParameterValue", "the blockid is missing or too long");
    await mkdir(this.blocksDir, { recursive: true });
    // A retried block replaces the first attempt whole.
    const tmp = `${this.blockFile(blockId)}.${randomUUID()}`;
    await pipeline(body, createWriteStream(tmp));
    await rename(tmp, this.blockFile(blockId));
  }

  async putBlockList(blockIds: readonly string[]): Promise<number> {
    await mkdir(path.dirname(this.target), { recursive: true });
    for (const id of blockIds) {
      if (!(await stat(this.blockFile(id)).catch(() => undefined))) throw new BlobError(400, "InvalidBlockList", `the block list names a block that was not uploaded (${id})`);
    }
    const out = createWriteStream(this.target);
    try {
      for (const id of blockIds) await pipeline(createReadStream(this.blockFile(id)), out, { end: false });
    } finally {
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    }
    await this.discardBlocks();
    return (await stat(this.target)).size;
  }

  async discardBlocks(): Promise<void> {
    await rm(this.blocksDir, { recursive: true, force: true });
  }
}

/** An error answered the way Blob Storage answers it: a status and an XML body with a code. */
export class BlobError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  xml(): string {
    const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    return `<?xml version="1.0" encoding="utf-8"?><Error><Code>${esc(this.code)}</Code><Message>${esc(this.message)}</Message></Error>`;
  }
}

/** The block ids of a Put Block List body, in order (`Latest`, `Committed` and `Uncommitted` alike). */
export function parseBlockList(xml: string): string[] {
  const ids: string[] = [];
  const re = /<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) ids.push((m[2] ?? "").trim());
  return ids;
}
