import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bridgeGateway, connectDocker } from "../runners/docker/index.js";
import { ArtifactStore, CacheStore, RuntimeServer, cacheScopes } from "../runners/services/index.js";
import { ClientContainer } from "./support/actions-clients.js";

// The real @actions/cache and @actions/artifact npm clients, inside a job container of
// replay's runner image, against replay's services on the Docker bridge: what a node
// action of a replayed job does.

let root: string;
let server: RuntimeServer;
let caches: CacheStore;
const containers: ClientContainer[] = [];

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), "replay-runtime-docker-"));
  const { docker } = await connectDocker();
  const host = await bridgeGateway(docker);
  if (!host) throw new Error("the Docker engine has no default bridge: the services cannot be reached from containers");
  caches = new CacheStore(path.join(root, "caches"));
  server = await RuntimeServer.start({
    host,
    caches,
    repository: "octo/clients",
    scopes: cacheScopes({ eventName: "push", ref: "refs/heads/main", refName: "main", defaultBranch: "main" }),
    artifacts: new ArtifactStore(path.join(root, "artifacts")),
  });
});

afterAll(async () => {
  await Promise.all(containers.map((c) => c.remove()));
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

async function container(protocol: "v1" | "v2"): Promise<ClientContainer> {
  const env = server.actionRuntimeEnv();
  if (protocol === "v1") {
    // Without the v2 switch (and the results URL) the client speaks _apis/artifactcache.
    delete env["ACTIONS_CACHE_SERVICE_V2"];
    delete env["ACTIONS_RESULTS_URL"];
  }
  const c = await ClientContainer.start(env);
  containers.push(c);
  return c;
}

describe.each(["v2", "v1"] as const)("@actions/cache over cache service %s", (protocol) => {
  let c: ClientContainer;
  beforeAll(async () => {
    c = await container(protocol);
    await c.sh(`mkdir -p deps/sub && echo ${protocol}-content > deps/a.txt && head -c 300000 /dev/urandom > deps/sub/b.bin && sha256sum deps/a.txt deps/sub/b.bin > /tmp/sums`);
  });

  it("saves an entry, then restores it by its exact key, byte for byte", async () => {
    const saved = await c.client(["save", "deps", `${protocol}-deps-1`]);
    expect(saved.result, saved.output).toEqual(expect.any(Number));
    expect(saved.result).not.toBe(-1);
    await c.sh("rm -rf deps");
    const restored = await c.client(["restore", "deps", `${protocol}-deps-1`]);
    expect(restored.result, restored.output).toBe(`${protocol}-deps-1`);
    expect((await c.sh("sha256sum -c /tmp/sums")).exitCode).toBe(0);
  });

  it("falls back to a restore key, newest first, and misses what is not there", async () => {
    const partial = await c.client(["restore", "deps", `${protocol}-deps-2`, `${protocol}-nothing-,${protocol}-deps-`]);
    expect(partial.result, partial.output).toBe(`${protocol}-deps-1`);
    expect(partial.output).toContain(protocol === "v2" ? `Cache hit for restore-key: ${protocol}-deps-1` : "Cache restored successfully");
    const miss = await c.client(["restore", "deps", "no-such-key", "no-such-"]);
    expect(miss.result, miss.output).toBeNull();
    // Another path list is another version: not restored even with the same key.
    const otherPaths = await c.client(["restore", "deps,other", `${protocol}-deps-1`]);
    expect(otherPaths.result).toBeNull();
  });

  it("refuses to save a key twice", async () => {
    const again = await c.client(["save", "deps", `${protocol}-deps-1`]);
    expect(again.result).toBe(-1);
    expect(again.output).toContain(`Unable to reserve cache with key ${protocol}-deps-1, another job may be creating this cache`);
  });
});

describe("one store behind both protocols", () => {
  it("an entry saved through v2 is restored through v1", async () => {
    const v2 = await container("v2");
    await v2.sh("mkdir -p shared && echo from-v2 > shared/f");
    expect((await v2.client(["save", "shared", "shared-1"])).result).not.toBe(-1);
    const v1 = await container("v1");
    const r = await v1.client(["restore", "shared", "shared-1"]);
    expect(r.result, r.output).toBe("shared-1");
    expect((await v1.sh("cat shared/f")).output.trim()).toBe("from-v2");
  });
});

describe("two cells saving the same key at once", () => {
  it("store it once, whole: one save wins, the other is told another job is creating it", async () => {
    const [a, b] = await Promise.all([container("v2"), container("v2")]);
    if (!a || !b) throw new Error("no containers");
    await a.sh("mkdir -p race && head -c 2000000 /dev/urandom > race/data && sha256sum race/data > /tmp/sum");
    await b.sh("mkdir -p race && head -c 2000000 /dev/urandom > race/data && sha256sum race/data > /tmp/sum");
    const [ra, rb] = await Promise.all([a.client(["save", "race", "race-key"]), b.client(["save", "race", "race-key"])]);
    const winners = [ra, rb].filter((r) => r.result !== -1);
    expect(winners, `${ra.output}\n----\n${rb.output}`).toHaveLength(1);
    const loser = ra.result === -1 ? ra : rb;
    expect(loser.output).toContain("another job may be creating this cache");
    const winner = ra.result === -1 ? b : a;
    const reader = await container("v2");
    await reader.sh("mkdir -p race");
    expect((await reader.client(["restore", "race", "race-key"])).result).toBe("race-key");
    const sum = (await winner.sh("cat /tmp/sum")).output;
    await reader.sh(`echo '${sum.trim()}' > /tmp/sum`);
    expect((await reader.sh("sha256sum -c /tmp/sum")).exitCode).toBe(0);
    expect((await caches.list()).filter((e) => e.key === "race-key")).toHaveLength(1);
  });
});

describe("@actions/artifact over artifacts v4", () => {
  it("uploads an artifact of several 8 MiB blocks and downloads it byte-identical", async () => {
    const c = await container("v2");
    await c.sh("mkdir -p out/nested && head -c 20000000 /dev/urandom > out/big.bin && echo small > out/nested/s.txt && (cd out && sha256sum big.bin nested/s.txt) > /tmp/sums");
    const up = await c.client(["upload", "bundle", `${"/home/runner/work/clients/clients"}/out`, "/home/runner/work/clients/clients/out/big.bin", "/home/runner/work/clients/clients/out/nested/s.txt"]);
    expect(up.result, up.output).toMatchObject({ id: 1 });
    // uploadStream sends 8 MiB blocks: 20 MB is three of them, committed by a block list.
    expect(up.output).toContain("Uploaded bytes 16777216");
    const listed = await c.client(["list"]);
    expect(listed.result).toMatchObject({ artifacts: [{ name: "bundle", id: 1 }] });
    const down = await c.client(["download", "bundle", "/home/runner/work/clients/clients/back"]);
    expect(down.result, down.output).toMatchObject({ digestMismatch: false });
    expect((await c.sh("cd back && sha256sum -c /tmp/sums")).exitCode).toBe(0);
    const dup = await c.client(["upload", "bundle", "/home/runner/work/clients/clients/out", "/home/runner/work/clients/clients/out/nested/s.txt"]);
    expect(dup.exitCode).not.toBe(0);
    expect(dup.output).toContain("(409) Conflict: an artifact with this name already exists on the workflow run");
  });
});
