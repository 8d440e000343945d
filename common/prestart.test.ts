import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type * as PrestartModule from "./prestart.js";

type Prestart = typeof PrestartModule;

interface Seen {
  method: string;
  url: string;
  body: string;
}

/** An engine's API as far as the entry uses it: create, start, remove. */
function fakeEngine(socketPath: string): { seen: Seen[]; close: () => Promise<void>; ready: Promise<void> } {
  const seen: Seen[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => (body += d));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", body });
      if (req.method === "POST" && req.url?.startsWith("/containers/create")) {
        res.writeHead(201, { "Content-Type": "application/json" }).end(JSON.stringify({ Id: `c${++n}` }));
      } else res.writeHead(204).end();
    });
  });
  const ready = new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { seen, ready, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A job container's request as the runtime makes it, for the run's values. */
function request(runDir: string, runId: string, started: string, jobToken: string, extra: Record<string, unknown> = {}): { name: string; body: string } {
  const body = {
    Image: "replay-runner:abc",
    Entrypoint: ["/bin/sh", "-c", "trap 'exit 0' TERM INT", "/home/runner/work/_temp/_runner_file_commands", "/home/runner/work"],
    Cmd: [],
    Labels: { "dev.replay.run": runId, "dev.replay.pid": String(process.pid), "dev.replay.host": "h", "dev.replay.started": started, "dev.replay.job": "build" },
    Env: ["HOME=/home/runner"],
    WorkingDir: "/home/runner/work/r/r",
    HostConfig: { Binds: [`${runDir}/job-${jobToken}:/home/runner/work/_temp/_runner_file_commands`, "replay-tool-cache:/opt/replay-tool-cache"], Init: true, AutoRemove: true, ...extra },
  };
  return { name: `replay-${runId}-build-${jobToken}`, body: JSON.stringify(body) };
}

describe("the job container started by the CLI's entry", () => {
  let dir: string;
  let env: Record<string, string>;
  let socket: string;
  let engine: ReturnType<typeof fakeEngine>;
  let workflow: string;
  const argv = ["job", "build"];
  let cwd: string;

  const load = async (): Promise<Prestart> => {
    vi.resetModules();
    return import("./prestart.js");
  };

  /** One replay's part in it: the entry, the run's values, its first container's request (kept when not adopted). */
  async function replayOnce(extra: Record<string, unknown> = {}): Promise<{ p: Prestart; adopted: Awaited<ReturnType<Prestart["claimPrestart"]>>; runDir: string }> {
    const p = await load();
    p.prestart(argv, cwd, env);
    const t = p.takeRunTokens();
    const runDir = t.runDir ?? mkdtempSync(path.join(os.tmpdir(), `replay-${t.runId}-`));
    p.notePrestartInputs([workflow]);
    const jobToken = p.takeJobToken("build");
    const started = t.startedAt.toISOString();
    const r = request(runDir, t.runId, started, jobToken, extra);
    const adopted = await p.claimPrestart(socket, r.name, r.body, jobToken);
    if (!adopted) await p.recordPrestart(socket, r.name, r.body, { runDir, runId: t.runId, started, jobToken, pid: String(process.pid) }, env);
    return { p, adopted, runDir };
  }

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "replay-prestart-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    const here = mkdtempSync(path.join(dir, "case-"));
    env = { HOME: here, XDG_CACHE_HOME: path.join(here, "cache") };
    socket = path.join(here, "engine.sock");
    cwd = path.join(here, "repo");
    workflow = path.join(here, "ci.yml");
    writeFileSync(workflow, "on: push\n");
    engine = fakeEngine(socket);
    await engine.ready;
  });
  afterEach(async () => {
    await engine.close();
  });

  it("sends nothing the first time, keeps the request, and the next replay's entry sends it with that run's values", async () => {
    const first = await replayOnce();
    expect(first.adopted).toBeUndefined();
    expect(engine.seen).toEqual([]);
    const kept = readdirSync(path.join(env["XDG_CACHE_HOME"]!, "replay", "prestart"));
    expect(kept).toHaveLength(1);
    // The run's own values are not in what is kept.
    const text = readFileSync(path.join(env["XDG_CACHE_HOME"]!, "replay", "prestart", kept[0]!), "utf8");
    expect(text).not.toContain(first.runDir);

    const second = await replayOnce();
    expect(second.adopted?.id).toBe("c1");
    await second.adopted?.started;
    expect(engine.seen.map((s) => `${s.method} ${s.url.split("?")[0]}`)).toEqual(["POST /containers/create", "POST /containers/c1/start"]);
    const sent = JSON.parse(engine.seen[0]!.body) as { Labels: Record<string, string>; HostConfig: { Binds: string[] } };
    expect(sent.HostConfig.Binds[0]).toMatch(new RegExp(`^${second.runDir}/job-[0-9a-f]{8}:`));
    expect(engine.seen[0]!.url).toContain(encodeURIComponent(`replay-${sent.Labels["dev.replay.run"]}-build-`));
    expect(existsSync(second.runDir)).toBe(true);
  });

  it("removes kept requests unused for 30 days as it keeps another", async () => {
    const folder = path.join(env["XDG_CACHE_HOME"]!, "replay", "prestart");
    mkdirSync(folder, { recursive: true });
    const old = path.join(folder, "old.json");
    const recent = path.join(folder, "recent.json");
    writeFileSync(old, "{}");
    writeFileSync(recent, "{}");
    const longAgo = new Date(Date.now() - 31 * 24 * 60 * 60 * 1000);
    utimesSync(old, longAgo, longAgo);
    await replayOnce();
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    expect(readdirSync(folder)).toHaveLength(2);
  });

  it("removes the container it started when the replay asks for another", async () => {
    await replayOnce();
    const second = await replayOnce({ Memory: 1024 });
    expect(second.adopted).toBeUndefined();
    await second.p.discardPrestart();
    expect(engine.seen.map((s) => `${s.method} ${s.url.split("name=")[0]}`)).toEqual(["POST /containers/create?", "POST /containers/c1/start", "DELETE /containers/c1?force=1&v=1"]);
    // Kept instead: the third replay's entry sends the new request, and it is adopted.
    const third = await replayOnce({ Memory: 1024 });
    expect(third.adopted?.id).toBe("c2");
  });

  it("removes it, and the run's folder, when the command ends without asking for it", async () => {
    await replayOnce();
    const p = await load();
    p.prestart(argv, cwd, env);
    await p.discardPrestart();
    expect(engine.seen.map((s) => `${s.method} ${s.url.split("?")[0]}`)).toEqual(["POST /containers/create", "POST /containers/c1/start", "DELETE /containers/c1"]);
    const sent = JSON.parse(engine.seen[0]!.body) as { HostConfig: { Binds: string[] } };
    const runDir = path.dirname(sent.HostConfig.Binds[0]!.split(":")[0]!);
    expect(runDir.startsWith(path.join(os.tmpdir(), "replay-"))).toBe(true);
    expect(existsSync(runDir)).toBe(false);
  });

  it("sends nothing once a workflow it was made from has changed, or for another command, folder or engine variable", async () => {
    await replayOnce();
    utimesSync(workflow, new Date(), new Date(Date.now() + 5000));
    (await load()).prestart(argv, cwd, env);
    (await load()).prestart(["job", "test"], cwd, env);
    (await load()).prestart(argv, path.join(cwd, "sub"), env);
    (await load()).prestart(argv, cwd, { ...env, DOCKER_HOST: "tcp://x:2375" });
    (await load()).prestart(argv, cwd, { ...env, REPLAY_PRESTART: "0" });
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.seen).toEqual([]);
  });

  it("sends nothing of a kept request that is not a plain job's: host settings, binds outside the run's folder", async () => {
    await replayOnce();
    const folder = path.join(env["XDG_CACHE_HOME"]!, "replay", "prestart");
    const file = path.join(folder, readdirSync(folder)[0]!);
    const kept = JSON.parse(readFileSync(file, "utf8")) as { body: string };
    for (const tamper of [
      (b: { HostConfig: Record<string, unknown> }) => (b.HostConfig["Privileged"] = true),
      (b: { HostConfig: Record<string, unknown> }) => ((b.HostConfig["Binds"] as string[]).push("/:/host")),
      (b: { HostConfig: Record<string, unknown> }) => ((b.HostConfig["Binds"] as string[]).push("@@replay:run-dir@@/../..:/host")),
      (b: { HostConfig: Record<string, unknown> }) => (b.HostConfig["NetworkMode"] = "host"),
    ]) {
      const body = JSON.parse(kept.body) as { HostConfig: Record<string, unknown> };
      tamper(body);
      writeFileSync(file, JSON.stringify({ ...kept, body: JSON.stringify(body) }));
      (await load()).prestart(argv, cwd, env);
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.seen).toEqual([]);
  });

  it("asks again for the next replay's container (replay watch), with new values the next run takes", async () => {
    await replayOnce();
    const p = await load();
    p.prestart(argv, cwd, env);
    const first = p.takeRunTokens();
    const firstJob = p.takeJobToken("build");
    const a = request(first.runDir!, first.runId, first.startedAt.toISOString(), firstJob);
    expect((await p.claimPrestart(socket, a.name, a.body, firstJob))?.id).toBe("c1");
    p.prestartNext();
    const next = p.takeRunTokens();
    expect(next.runId).not.toBe(first.runId);
    expect(next.runDir).toBeDefined();
    const nextJob = p.takeJobToken("build");
    const b = request(next.runDir!, next.runId, next.startedAt.toISOString(), nextJob);
    const adopted = await p.claimPrestart(socket, b.name, b.body, nextJob);
    expect(adopted?.id).toBe("c2");
    await adopted?.started;
    expect(engine.seen.filter((s) => s.url.startsWith("/containers/create"))).toHaveLength(2);
  });

  it("adopts for the entry's job only: another job of the run neither claims nor keeps", async () => {
    await replayOnce();
    const p = await load();
    p.prestart(argv, cwd, env);
    const t = p.takeRunTokens();
    const other = p.takeJobToken("lint");
    const mine = p.takeJobToken("build");
    const o = request(t.runDir!, t.runId, t.startedAt.toISOString(), other);
    expect(await p.claimPrestart(socket, o.name, o.body, other)).toBeUndefined();
    const m = request(t.runDir!, t.runId, t.startedAt.toISOString(), mine);
    const adopted = await p.claimPrestart(socket, m.name, m.body, mine);
    expect(adopted?.id).toBe("c1");
    await adopted?.started;
    expect(engine.seen.map((s) => s.method)).toEqual(["POST", "POST"]);
  });
});

describe("isPlainJobRequest", () => {
  it("takes a plain job's request and nothing with more power", async () => {
    const { isPlainJobRequest } = await import("./prestart.js");
    const plain = JSON.parse(request("/tmp/r", "1", "s", "abcd1234").body) as { HostConfig: Record<string, unknown> };
    expect(isPlainJobRequest(plain, "/tmp/r", "1")).toBe(true);
    expect(isPlainJobRequest(plain, "/tmp/r", "2")).toBe(false);
    expect(isPlainJobRequest(plain, "/tmp/other", "1")).toBe(false);
    expect(isPlainJobRequest({ ...plain, HostConfig: { ...plain.HostConfig, CapAdd: ["SYS_ADMIN"] } }, "/tmp/r", "1")).toBe(false);
    expect(isPlainJobRequest({ ...plain, Volumes: {} }, "/tmp/r", "1")).toBe(false);
    expect(isPlainJobRequest({ ...plain, HostConfig: { ...plain.HostConfig, Binds: ["/tmp/r/../../etc:/x"] } }, "/tmp/r", "1")).toBe(false);
    expect(isPlainJobRequest(null, "/tmp/r", "1")).toBe(false);
  });
});
