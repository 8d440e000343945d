import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { BlockBlobWriter } from "./block-blob.js";
import type { CacheScopes } from "./cache-scopes.js";
import type { CacheEntry, CacheReservation, CacheStore } from "./cache-store.js";
import type { UrlSigner } from "./signed-url.js";
import { TwirpError, stringField, stringListField } from "./twirp.js";
import type { JsonObject } from "./twirp.js";

/** What a restore or save through the service did, for the run's summary. */
export type CacheServiceEvent =
  | { kind: "restore"; key: string; matchedKey?: string; exact: boolean }
  | { kind: "save"; key: string; sizeBytes: number };

interface PendingUpload {
  uploadId: string;
  reservation: CacheReservation;
  writer: BlockBlobWriter;
  /** v1's numeric cacheId, for its chunk and commit requests. */
  cacheId: number;
}

/** Blob paths the cache service signs (see RuntimeServer's routes). */
export const CACHE_UPLOAD_PATH = "/blob/caches/uploads/";
export const CACHE_DOWNLOAD_PATH = "/blob/caches/entries/";

/**
 * The cache protocols @actions/cache speaks, over a CacheStore, for one run (one
 * repository, one set of scopes): v2, Twirp `github.actions.results.api.v1.CacheService`
 * with uploads to a signed blob URL, and v1, REST under `_apis/artifactcache`.
 */
export class CacheService {
  private readonly pending = new Map<string, PendingUpload>();
  private nextCacheId = 1;

  constructor(
    private readonly o: {
      store: CacheStore;
      repository: string;
      scopes: CacheScopes;
      signer: UrlSigner;
      baseUrl: string;
      onEvent?: (e: CacheServiceEvent) => void;
    },
  ) {}

  private downloadUrl(entry: CacheEntry): string {
    return this.o.signer.sign(this.o.baseUrl, `${CACHE_DOWNLOAD_PATH}${entry.id}`);
  }

  private async lookup(key: string, restoreKeys: string[], version: string): Promise<CacheEntry | undefined> {
    const match = await this.o.store.find(this.o.repository, { key, restoreKeys, version, scopes: this.o.scopes.restore });
    this.o.onEvent?.({ kind: "restore", key, exact: match?.exact ?? false, ...(match ? { matchedKey: match.entry.key } : {}) });
    return match?.entry;
  }

  private async reserve(key: string, version: string): Promise<PendingUpload | "exists" | "reserved"> {
    const r = await this.o.store.reserve({ repository: this.o.repository, key, version, scope: this.o.scopes.save });
    if (typeof r === "string") return r;
    const uploadId = randomUUID();
    const p: PendingUpload = {
      uploadId,
      reservation: r,
      writer: new BlockBlobWriter(r.tempPath, path.join(path.dirname(r.tempPath), `${path.basename(r.tempPath)}.blocks`)),
      cacheId: this.nextCacheId++,
    };
    this.pending.set(uploadId, p);
    this.pending.set(`${key}\0${version}`, p);
    this.pending.set(`v1:${p.cacheId}`, p);
    return p;
  }

  private async commit(p: PendingUpload): Promise<CacheEntry> {
    for (const [k, v] of this.pending) if (v === p) this.pending.delete(k);
    await p.writer.discardBlocks();
    const entry = await p.reservation.commit();
    this.o.onEvent?.({ kind: "save", key: entry.key, sizeBytes: entry.sizeBytes });
    return entry;
  }

  // --- v2 (Twirp) ---

  async twirp(method: string, req: JsonObject): Promise<JsonObject> {
    switch (method) {
      case "GetCacheEntryDownloadURL": {
        const entry = await this.lookup(stringField(req, "key"), stringListField(req, "restore_keys"), stringField(req, "version"));
        return entry ? { ok: true, signed_download_url: this.downloadUrl(entry), matched_key: entry.key } : { ok: false, signed_download_url: "", matched_key: "" };
      }
      case "CreateCacheEntry": {
        const key = stringField(req, "key");
        const r = await this.reserve(key, stringField(req, "version"));
        if (r === "exists") throw new TwirpError("already_exists", `cache entry with the same key, version, and scope already exists: ${key}`);
        if (r === "reserved") throw new TwirpError("already_exists", `another job is creating the cache entry ${key}`);
        return { ok: true, signed_upload_url: this.o.signer.sign(this.o.baseUrl, `${CACHE_UPLOAD_PATH}${r.uploadId}`) };
      }
      case "FinalizeCacheEntryUpload": {
        const key = stringField(req, "key");
        const p = this.pending.get(`${key}\0${stringField(req, "version")}`);
        if (!p) throw new TwirpError("not_found", `no upload of the cache entry ${key} is in progress`);
        const size = Number(stringField(req, "size_bytes", false) || "0");
        const actual = (await stat(p.reservation.tempPath).catch(() => undefined))?.size;
        if (actual === undefined || actual !== size) {
          await this.abort(p);
          throw new TwirpError("failed_precondition", `the uploaded archive of ${key} has ${actual ?? 0} bytes, not ${size}`);
        }
        const entry = await this.commit(p);
        return { ok: true, entry_id: String(parseInt(entry.id.slice(0, 12), 16)) };
      }
      default:
        throw new TwirpError("bad_route", `no method ${method} in CacheService`);
    }
  }

  private async abort(p: PendingUpload): Promise<void> {
    for (const [k, v] of this.pending) if (v === p) this.pending.delete(k);
    await p.writer.discardBlocks();
    await p.reservation.abort();
  }

  /** The writer behind a signed upload URL. */
  uploadWriter(uploadId: string): BlockBlobWriter | undefined {
    return this.pending.get(uploadId)?.writer;
  }

  /** The archive behind a signed download URL. */
  async archive(entryId: string): Promise<string | undefined> {
    const entry = (await this.o.store.list({ repository: this.o.repository })).find((e) => e.id === entryId);
    return entry?.archivePath;
  }

  // --- v1 (REST under _apis/artifactcache) ---

  async v1Lookup(keys: string[], version: string): Promise<JsonObject | undefined> {
    const [key = "", ...restoreKeys] = keys;
    const entry = await this.lookup(key, restoreKeys, version);
    if (!entry) return undefined;
    return {
      scope: entry.scope,
      cacheKey: entry.key,
      cacheVersion: entry.version,
      creationTime: new Date(entry.createdAtMs).toISOString(),
      archiveLocation: this.downloadUrl(entry),
    };
  }

  async v1List(key: string): Promise<JsonObject> {
    const entries = (await this.o.store.list({ repository: this.o.repository })).filter((e) => e.key === key);
    return {
      totalCount: entries.length,
      artifactCaches: entries.map((e) => ({ cacheKey: e.key, cacheVersion: e.version, scope: e.scope, creationTime: new Date(e.createdAtMs).toISOString() })),
    };
  }

  /** POST caches: a cacheId, or why not (the client reports the message after "More details:"). */
  async v1Reserve(key: string, version: string): Promise<{ cacheId: number } | { conflict: string }> {
    const r = await this.reserve(key, version);
    if (r === "exists") return { conflict: `Cache already exists. Scope: ${this.o.scopes.save}, Key: ${key}, Version: ${version}` };
    if (r === "reserved") return { conflict: `Cache is being created by another job. Scope: ${this.o.scopes.save}, Key: ${key}, Version: ${version}` };
    // Chunks are written at their offsets, in parallel: the file must exist first.
    await (await open(r.reservation.tempPath, "w")).close();
    return { cacheId: r.cacheId };
  }

  /** PATCH caches/:id with `Content-Range: bytes start-end/*`. */
  async v1Chunk(cacheId: number, start: number, body: Readable): Promise<boolean> {
    const p = this.pending.get(`v1:${cacheId}`);
    if (!p) return false;
    await pipeline(body, createWriteStream(p.reservation.tempPath, { flags: "r+", start }));
    return true;
  }

  /** POST caches/:id with the archive's size. */
  async v1Commit(cacheId: number, size: number): Promise<"ok" | "not-found" | "size-mismatch"> {
    const p = this.pending.get(`v1:${cacheId}`);
    if (!p) return "not-found";
    const actual = (await stat(p.reservation.tempPath)).size;
    if (actual !== size) {
      await this.abort(p);
      return "size-mismatch";
    }
    await this.commit(p);
    return "ok";
  }

  /** Gives back the reservations of uploads never finalized (a job that died mid-save). */
  async close(): Promise<void> {
    for (const p of new Set(this.pending.values())) await this.abort(p);
  }
}
