import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ArtifactStore } from "./artifact-store.js";
import { cacheScopes } from "./cache-scopes.js";
import { CacheStore } from "./cache-store.js";
import { RuntimeServer } from "./runtime-server.js";

// The wire protocols as @actions/cache and @actions/artifact speak them (their real
// clients run against this server in tests/runtime-services.docker.test.ts).

let dir: string;
let server: RuntimeServer;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "replay-runtime-"));
  server = await RuntimeServer.start({
    host: "127.0.0.1",
    caches: new CacheStore(path.join(dir, "caches")),
    repository: "octo/app",
    scopes: cacheScopes({ eventName: "push", ref: "refs/heads/main", refName: "main", defaultBranch: "main" }),
    artifacts: new ArtifactStore(path.join(dir, "artifacts")),
  });
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = (): Record<string, string> => ({ Authorization: `Bearer ${server.token}` });

async function twirp(service: "CacheService" | "ArtifactService", method: string, body: object, headers = auth()): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(new URL(`/twirp/github.actions.results.api.v1.${service}/${method}`, server.url), {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

const put = (url: string, body: string, headers: Record<string, string> = {}): Promise<Response> => fetch(url, { method: "PUT", body, headers });
const b64 = (s: string): string => Buffer.from(s).toString("base64");

describe("RuntimeServer", () => {
  it("answers only its run's token", async () => {
    const r = await twirp("CacheService", "GetCacheEntryDownloadURL", { key: "k", version: "v" }, { Authorization: "Bearer someone-else" });
    expect(r.status).toBe(401);
    expect(server.token.split(".")).toHaveLength(3);
    const claims = JSON.parse(Buffer.from(server.token.split(".")[1] ?? "", "base64url").toString()) as { scp: string };
    expect(claims.scp).toMatch(/Actions\.Results:[0-9a-f-]{36}:[0-9a-f-]{36}/);
  });

  it("cache v2: create, upload to the signed URL, finalize, then found by key and downloaded", async () => {
    const created = await twirp("CacheService", "CreateCacheEntry", { key: "npm-abc", version: "v1" });
    expect(created.json["ok"]).toBe(true);
    const upload = String(created.json["signed_upload_url"]);
    expect((await put(upload, "archive-bytes", { "x-ms-blob-type": "BlockBlob" })).status).toBe(201);
    const fin = await twirp("CacheService", "FinalizeCacheEntryUpload", { key: "npm-abc", version: "v1", size_bytes: "13" });
    expect(fin.json).toMatchObject({ ok: true });
    const got = await twirp("CacheService", "GetCacheEntryDownloadURL", { key: "npm-x", restore_keys: ["npm-"], version: "v1" });
    expect(got.json).toMatchObject({ ok: true, matched_key: "npm-abc" });
    expect(await (await fetch(String(got.json["signed_download_url"]))).text()).toBe("archive-bytes");
    const again = await twirp("CacheService", "CreateCacheEntry", { key: "npm-abc", version: "v1" });
    expect(again.status).toBe(409);
    const miss = await twirp("CacheService", "GetCacheEntryDownloadURL", { key: "npm-abc", version: "other" });
    expect(miss.json["ok"]).toBe(false);
  });

  it("refuses a blob URL whose signature was tampered with", async () => {
    const created = await twirp("CacheService", "CreateCacheEntry", { key: "k", version: "v" });
    const url = new URL(String(created.json["signed_upload_url"]));
    url.searchParams.set("sig", "forged");
    const r = await put(url.href, "x");
    expect(r.status).toBe(403);
    expect(await r.text()).toContain("AuthenticationFailed");
  });

  it("cache v1: reserve, chunks in any order at their offsets, commit, look up", async () => {
    const base = new URL("_apis/artifactcache/", server.url);
    const reserve = await fetch(new URL("caches", base), { method: "POST", headers: { ...auth(), "Content-Type": "application/json" }, body: JSON.stringify({ key: "pip-1", version: "v" }) });
    const { cacheId } = (await reserve.json()) as { cacheId: number };
    const chunk = (start: number, text: string): Promise<Response> =>
      fetch(new URL(`caches/${cacheId}`, base), { method: "PATCH", headers: { ...auth(), "Content-Range": `bytes ${start}-${start + text.length - 1}/*`, "Content-Type": "application/octet-stream" }, body: text });
    expect((await chunk(5, "world")).status).toBe(204);
    expect((await chunk(0, "hello")).status).toBe(204);
    const commit = await fetch(new URL(`caches/${cacheId}`, base), { method: "POST", headers: { ...auth(), "Content-Type": "application/json" }, body: JSON.stringify({ size: 10 }) });
    expect(commit.status).toBe(204);
    const look = await fetch(new URL("cache?keys=pip-2,pip-&version=v", base), { headers: auth() });
    const entry = (await look.json()) as { cacheKey: string; archiveLocation: string };
    expect(entry.cacheKey).toBe("pip-1");
    expect(await (await fetch(entry.archiveLocation)).text()).toBe("helloworld");
    const none = await fetch(new URL("cache?keys=zzz&version=v", base), { headers: auth() });
    expect(none.status).toBe(204);
    const dup = await fetch(new URL("caches", base), { method: "POST", headers: { ...auth(), "Content-Type": "application/json" }, body: JSON.stringify({ key: "pip-1", version: "v" }) });
    expect(dup.status).toBe(409);
  });

  it("artifacts v4: blocks assembled in block-list order, listed, downloaded as a zip, deleted", async () => {
    const ids = { workflow_run_backend_id: "run", workflow_job_run_backend_id: "job" };
    const created = await twirp("ArtifactService", "CreateArtifact", { ...ids, name: "dist", version: 7, mime_type: "application/zip" });
    const url = String(created.json["signed_upload_url"]);
    const block = (id: string, text: string): Promise<Response> => put(`${url}&comp=block&blockid=${encodeURIComponent(b64(id))}`, text);
    expect((await block("2", "CC")).status).toBe(201);
    expect((await block("1", "BB")).status).toBe(201);
    expect((await block("0", "AA")).status).toBe(201);
    const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${["0", "1", "2"].map((i) => `<Latest>${b64(i)}</Latest>`).join("")}</BlockList>`;
    expect((await put(`${url}&comp=blocklist`, list)).status).toBe(201);
    const fin = await twirp("ArtifactService", "FinalizeArtifact", { ...ids, name: "dist", size: "6" });
    expect(fin.json).toMatchObject({ ok: true, artifact_id: "1" });
    const listed = await twirp("ArtifactService", "ListArtifacts", { ...ids, name_filter: "dist" });
    expect(listed.json["artifacts"]).toMatchObject([{ name: "dist", database_id: "1", size: "6" }]);
    const signed = await twirp("ArtifactService", "GetSignedArtifactURL", { ...ids, name: "dist" });
    const dl = await fetch(String(signed.json["signed_url"]));
    expect(dl.headers.get("content-type")).toBe("application/zip");
    expect(dl.headers.get("content-disposition")).toContain('filename="dist.zip"');
    expect(await dl.text()).toBe("AABBCC");
    const dup = await twirp("ArtifactService", "CreateArtifact", { ...ids, name: "dist", version: 7 });
    expect(dup.status).toBe(409);
    expect((await twirp("ArtifactService", "DeleteArtifact", { ...ids, name: "dist" })).json).toMatchObject({ ok: true, artifact_id: "1" });
    expect((await twirp("ArtifactService", "GetSignedArtifactURL", { ...ids, name: "dist" })).status).toBe(404);
  });

  it("gives node and container actions the runner's variables, with a slash-ended URL", () => {
    const env = server.actionRuntimeEnv();
    expect(env).toMatchObject({ ACTIONS_CACHE_SERVICE_V2: "True", ACTIONS_RUNTIME_TOKEN: server.token });
    expect(env["ACTIONS_CACHE_URL"]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(env["ACTIONS_RESULTS_URL"]).toBe(env["ACTIONS_CACHE_URL"]);
  });
});
