import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";

type Fetch = typeof globalThis.fetch;

/** A checksum to hold a download to: sha512 (npm's integrity) or sha256 (nodejs.org's SHASUMS256.txt). */
export interface Expected {
  algorithm: "sha512" | "sha256";
  hex: string;
}

/** npm's `sha512-<base64>` integrity as hex. */
export const integrityHex = (integrity: string): string => Buffer.from(integrity.replace(/^sha512-/, ""), "base64").toString("hex");

/**
 * Downloads `url` to `file`, refusing it unless it has the expected checksum. Answers its
 * sha512 (what install-node.sh checks again in the container).
 */
export async function downloadVerified(fetch: Fetch, url: string, file: string, expected: Expected, timeoutMs = 600_000): Promise<string> {
  const r = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(timeoutMs) });
  if (!r.ok || r.body === null) throw new Error(`${url} answered HTTP ${r.status}`);
  const sha512 = createHash("sha512");
  const other = expected.algorithm === "sha512" ? undefined : createHash(expected.algorithm);
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sha512.update(chunk);
      other?.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(r.body as WebReadableStream<Uint8Array>), hashing, createWriteStream(file));
  const sha512Hex = sha512.digest("hex");
  const actual = other ? other.digest("hex") : sha512Hex;
  if (actual !== expected.hex.toLowerCase()) throw new Error(`${url} does not have the published ${expected.algorithm} (expected ${expected.hex}, got ${actual}): refused`);
  return sha512Hex;
}

/** One file's text from a .tgz on disk (`package/CHANGELOG.md`), or undefined. */
export async function readFromTgz(file: string, name: string): Promise<string | undefined> {
  let found: string | undefined;
  const extract = tar.extract();
  extract.on("entry", (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => {
      if (header.name === name) chunks.push(c);
    });
    stream.on("end", () => {
      if (header.name === name) found = Buffer.concat(chunks).toString("utf8");
      next();
    });
    stream.resume();
  });
  await pipeline(createReadStream(file), createGunzip(), extract);
  return found;
}
