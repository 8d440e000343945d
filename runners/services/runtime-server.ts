import { randomBytes, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ArtifactService, ARTIFACT_DOWNLOAD_PATH, ARTIFACT_UPLOAD_PATH } from "./artifact-service.js";
import type { ArtifactStore } from "./artifact-store.js";
import { BlobError, parseBlockList } from "./block-blob.js";
import type { BlockBlobWriter } from "./block-blob.js";
import { CacheService, CACHE_DOWNLOAD_PATH, CACHE_UPLOAD_PATH } from "./cache-service.js";
import type { CacheServiceEvent } from "./cache-service.js";
import type { CacheScopes } from "./cache-scopes.js";
import type { CacheStore } from "./cache-store.js";
import { runtimeToken } from "./runtime-token.js";
import { UrlSigner } from "./signed-url.js";
import { TwirpError } from "./twirp.js";
import type { JsonObject } from "./twirp.js";

export interface RuntimeServerOptions {
  /** The address to listen on. */
  host: string;
  port?: number;
  caches: CacheStore;
  /** Whose caches: a repository never sees another's. */
  repository: string;
  scopes: CacheScopes;
  artifacts: ArtifactStore;
  onCacheEvent?: (e: CacheServiceEvent) => void;
}

const TWIRP_PREFIX = "/twirp/github.actions.results.api.v1.";
const V1_PREFIX = "/_apis/artifactcache/";
const MAX_JSON_BYTES = 4 * 1024 * 1024;

async function readText(req: http.IncomingMessage, limit = MAX_JSON_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new TwirpError("invalid_argument", "the request body is too large");
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The services a run's jobs reach as GitHub's runner reaches the results service: the
 * cache (v2 Twirp and v1 REST), artifacts v4 (Twirp), and the signed blob URLs both hand
 * out. One per replay, on the host, for that replay's containers only.
 */
export const OIDC_REFUSAL = "OIDC tokens are not available in a local replay";

export class RuntimeServer {
  readonly token: string;
  private readonly signer: UrlSigner;
  private readonly cache: CacheService;
  private readonly artifact: ArtifactService;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    o: RuntimeServerOptions,
  ) {
    const secret = randomBytes(32).toString("hex");
    this.token = runtimeToken(secret, { runBackendId: randomUUID(), jobBackendId: randomUUID() });
    this.signer = new UrlSigner(secret);
    this.cache = new CacheService({
      store: o.caches,
      repository: o.repository,
      scopes: o.scopes,
      signer: this.signer,
      baseUrl: url,
      ...(o.onCacheEvent ? { onEvent: o.onCacheEvent } : {}),
    });
    this.artifact = new ArtifactService({ store: o.artifacts, signer: this.signer, baseUrl: url });
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      void this.handle(req, res);
    });
  }

  static async start(o: RuntimeServerOptions): Promise<RuntimeServer> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(o.port ?? 0, o.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const host = o.host.includes(":") ? `[${o.host}]` : o.host;
    return new RuntimeServer(server, `http://${host}:${port}/`, o);
  }

  /**
   * What the runner gives node and container actions (never `run:` steps): the results
   * and cache service URLs, the token, and the switch to cache service v2. The v1 clients
   * append `_apis/artifactcache/` to ACTIONS_CACHE_URL, so it ends in a slash.
   */
  actionRuntimeEnv(): Record<string, string> {
    return {
      ACTIONS_RUNTIME_URL: this.url,
      ACTIONS_RUNTIME_TOKEN: this.token,
      ACTIONS_CACHE_URL: this.url,
      ACTIONS_RESULTS_URL: this.url,
      ACTIONS_CACHE_SERVICE_V2: "True",
    };
  }

  /**
   * What a job with `permissions: id-token: write` gets in every step. The endpoint
   * answers as GitHub's would refuse, with a message saying why: a local replay has no
   * identity to vouch for, and must never deploy with a real one.
   */
  oidcEnv(): Record<string, string> {
    return {
      ACTIONS_ID_TOKEN_REQUEST_URL: `${this.url}_apis/oidc/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.token,
    };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.cache.close();
    await this.artifact.close();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    try {
      if (url.pathname.startsWith("/blob/")) return await this.blob(req, res, url);
      // Refused whatever the credentials: there is no token to give.
      if (url.pathname === "/_apis/oidc/token") {
        req.resume();
        return sendJson(res, 403, { message: OIDC_REFUSAL });
      }
      if (req.headers.authorization !== `Bearer ${this.token}`) {
        req.resume();
        return sendJson(res, 401, { code: "unauthenticated", msg: "this service answers only the jobs of its replay (ACTIONS_RUNTIME_TOKEN)" });
      }
      if (url.pathname.startsWith(TWIRP_PREFIX) && req.method === "POST") return await this.twirp(req, res, url.pathname.slice(TWIRP_PREFIX.length));
      if (url.pathname.startsWith(V1_PREFIX)) return await this.v1(req, res, url);
      req.resume();
      sendJson(res, 404, { code: "bad_route", msg: `replay does not serve ${req.method ?? ""} ${url.pathname}` });
    } catch (e) {
      req.resume();
      if (res.headersSent) {
        res.destroy();
      } else if (e instanceof TwirpError) {
        sendJson(res, e.status, e.body());
      } else if (e instanceof BlobError) {
        const xml = e.xml();
        res.writeHead(e.status, { "Content-Type": "application/xml", "x-ms-error-code": e.code, "Content-Length": Buffer.byteLength(xml) });
        res.end(xml);
      } else {
        sendJson(res, 500, { code: "internal", msg: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  private async twirp(req: http.IncomingMessage, res: http.ServerResponse, route: string): Promise<void> {
    const [service, method = ""] = route.split("/");
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
      throw new TwirpError("bad_route", "replay's results service speaks Twirp JSON only (Content-Type: application/json)");
    }
    let body: JsonObject;
    try {
      body = JSON.parse((await readText(req)) || "{}") as JsonObject;
    } catch {
      throw new TwirpError("malformed", "the request body is not JSON");
    }
    if (service === "CacheService") return sendJson(res, 200, await this.cache.twirp(method, body));
    if (service === "ArtifactService") return sendJson(res, 200, await this.artifact.twirp(method, body));
    throw new TwirpError("bad_route", `no service ${service ?? ""}`);
  }

  private async v1(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const resource = url.pathname.slice(V1_PREFIX.length);
    const idMatch = /^caches\/(\d+)$/.exec(resource);
    if (resource === "cache" && req.method === "GET") {
      const keys = (url.searchParams.get("keys") ?? "").split(",").filter(Boolean);
      const found = await this.cache.v1Lookup(keys, url.searchParams.get("version") ?? "");
      if (!found) {
        res.writeHead(204);
        return void res.end();
      }
      return sendJson(res, 200, found);
    }
    if (resource === "caches" && req.method === "GET") return sendJson(res, 200, await this.cache.v1List(url.searchParams.get("key") ?? ""));
    if (resource === "caches" && req.method === "POST") {
      const body = JSON.parse((await readText(req)) || "{}") as { key?: string; version?: string };
      const r = await this.cache.v1Reserve(body.key ?? "", body.version ?? "");
      if ("conflict" in r) return sendJson(res, 409, { $id: "1", innerException: null, message: r.conflict, typeName: "Microsoft.Azure.DevOps.PipelineCache.WebApi.ArtifactCacheAlreadyExistsException", typeKey: "ArtifactCacheAlreadyExistsException", errorCode: 0, eventId: 3000 });
      return sendJson(res, 201, r);
    }
    if (idMatch && req.method === "PATCH") {
      const range = /^bytes (\d+)-(\d+)\/(\*|\d+)$/.exec(req.headers["content-range"] ?? "");
      if (!range) {
        req.resume();
        return sendJson(res, 400, { message: "Content-Range must be bytes start-end/*" });
      }
      const ok = await this.cache.v1Chunk(Number(idMatch[1]), Number(range[1]), req);
      if (!ok) return sendJson(res, 404, { message: `no cache reservation ${idMatch[1]}` });
      res.writeHead(204);
      return void res.end();
    }
    if (idMatch && req.method === "POST") {
      const body = JSON.parse((await readText(req)) || "{}") as { size?: number };
      const r = await this.cache.v1Commit(Number(idMatch[1]), Number(body.size));
      if (r === "not-found") return sendJson(res, 404, { message: `no cache reservation ${idMatch[1]}` });
      if (r === "size-mismatch") return sendJson(res, 400, { message: "the uploaded size differs from the committed size" });
      res.writeHead(204);
      return void res.end();
    }
    req.resume();
    sendJson(res, 404, { message: `replay does not serve ${req.method ?? ""} ${url.pathname}` });
  }

  private async blob(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (!this.signer.verify(url)) {
      req.resume();
      throw new BlobError(403, "AuthenticationFailed", "the signature of this URL is not valid or has expired");
    }
    const p = url.pathname;
    if (req.method === "PUT") {
      const writer = p.startsWith(CACHE_UPLOAD_PATH)
        ? this.cache.uploadWriter(p.slice(CACHE_UPLOAD_PATH.length))
        : p.startsWith(ARTIFACT_UPLOAD_PATH)
          ? this.artifact.uploadWriter(p.slice(ARTIFACT_UPLOAD_PATH.length))
          : undefined;
      if (!writer) {
        req.resume();
        throw new BlobError(404, "BlobNotFound", "no upload is in progress at this URL");
      }
      return this.put(req, res, url, writer);
    }
    if (req.method === "GET" || req.method === "HEAD") {
      if (p.startsWith(CACHE_DOWNLOAD_PATH)) {
        const file = await this.cache.archive(p.slice(CACHE_DOWNLOAD_PATH.length));
        if (!file) throw new BlobError(404, "BlobNotFound", "the cache entry is gone (removed or pruned)");
        return this.send(req, res, file, "application/octet-stream", undefined);
      }
      if (p.startsWith(ARTIFACT_DOWNLOAD_PATH)) {
        const name = decodeURIComponent(p.slice(ARTIFACT_DOWNLOAD_PATH.length));
        const found = await this.artifact.download(name);
        if (!found) throw new BlobError(404, "BlobNotFound", `no artifact named ${name}`);
        const fileName = found.record.mimeType === "application/zip" ? `${name}.zip` : name;
        return this.send(req, res, found.path, found.record.mimeType, fileName);
      }
    }
    req.resume();
    throw new BlobError(400, "UnsupportedHttpVerb", `${req.method ?? ""} is not supported here`);
  }

  private async put(req: http.IncomingMessage, res: http.ServerResponse, url: URL, writer: BlockBlobWriter): Promise<void> {
    const comp = url.searchParams.get("comp");
    if (comp === "block") {
      await writer.putBlock(url.searchParams.get("blockid") ?? "", req);
    } else if (comp === "blocklist") {
      await writer.putBlockList(parseBlockList(await readText(req)));
    } else if (comp === null) {
      await writer.putBlob(req);
    } else {
      req.resume();
      throw new BlobError(400, "InvalidQueryParameterValue", `comp=${comp} is not supported`);
    }
    const now = new Date();
    res.writeHead(201, {
      "Content-Length": 0,
      ETag: `"0x${now.getTime().toString(16).toUpperCase()}"`,
      "Last-Modified": now.toUTCString(),
      "x-ms-request-id": randomUUID(),
      "x-ms-version": "2025-01-05",
      "x-ms-request-server-encrypted": "true",
      Date: now.toUTCString(),
    });
    res.end();
  }

  private async send(req: http.IncomingMessage, res: http.ServerResponse, file: string, contentType: string, fileName: string | undefined): Promise<void> {
    req.resume();
    const st = await stat(file).catch(() => undefined);
    if (!st) throw new BlobError(404, "BlobNotFound", "the blob is gone");
    const headers: http.OutgoingHttpHeaders = {
      "Content-Type": contentType,
      "Accept-Ranges": "bytes",
      "Last-Modified": st.mtime.toUTCString(),
      ETag: `"0x${Math.floor(st.mtimeMs).toString(16).toUpperCase()}"`,
      "x-ms-blob-type": "BlockBlob",
      "x-ms-request-id": randomUUID(),
      "x-ms-version": "2025-01-05",
    };
    if (fileName) headers["Content-Disposition"] = `attachment; filename="${fileName.replace(/[^\x20-\x7e]|"/g, "_")}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers["x-ms-range"] ?? req.headers.range ?? ""));
    let start = 0;
    let end = st.size - 1;
    let status = 200;
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), st.size - 1) : st.size - 1;
      if (start > end && st.size > 0) throw new BlobError(416, "InvalidRange", "the range is outside the blob");
      status = 206;
      headers["Content-Range"] = `bytes ${start}-${end}/${st.size}`;
    }
    headers["Content-Length"] = st.size === 0 ? 0 : end - start + 1;
    res.writeHead(status, headers);
    if (req.method === "HEAD" || st.size === 0) return void res.end();
    const stream = createReadStream(file, { start, end });
    stream.on("error", () => res.destroy());
    stream.pipe(res);
  }
}
