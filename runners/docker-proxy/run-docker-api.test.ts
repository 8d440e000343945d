import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { JobDockerApiHandle } from "./run-docker-api.js";
import { RunDockerApi } from "./run-docker-api.js";

describe("RunDockerApi.finish", () => {
  const closers: (() => void)[] = [];
  afterEach(() => closers.splice(0).forEach((close) => close()));

  /** A stand-in engine on a Unix socket that counts the requests it is asked. */
  async function engine(): Promise<{ socketPath: string; asked: string[] }> {
    const dir = mkdtempSync(path.join(os.tmpdir(), "replay-run-api-"));
    const socketPath = path.join(dir, "engine.sock");
    const asked: string[] = [];
    const server = http.createServer((req, res) => {
      asked.push(`${req.method ?? ""} ${req.url ?? ""}`);
      res.writeHead(200, { "content-type": "application/json" }).end("[]");
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    closers.push(() => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return { socketPath, asked };
  }

  it("asks the engine nothing when no step called the API (no image can be the run's)", async () => {
    const e = await engine();
    expect(await new RunDockerApi({ socketPath: e.socketPath }, "1", false).finish({ keepImages: false })).toBe(0);
    expect(e.asked).toEqual([]);
  });

  it("looks for the run's images once a step called it", async () => {
    const e = await engine();
    const api = new RunDockerApi({ socketPath: e.socketPath }, "1", false);
    api.used = true;
    expect(await api.finish({ keepImages: false })).toBe(0);
    expect(e.asked).toEqual([`GET /images/json?${new URLSearchParams({ filters: JSON.stringify({ label: ["dev.replay.built-by-run=1"] }) }).toString()}`]);
  });
});

describe("a job's Docker API, closed at the job's end", () => {
  const closers: (() => void)[] = [];
  afterEach(() => closers.splice(0).forEach((close) => close()));

  /** A stand-in engine and one job's API in front of it, each on a socket of its own. */
  async function jobApi(): Promise<{ asked: string[]; job: JobDockerApiHandle; jobSocket: string }> {
    const dir = mkdtempSync(path.join(os.tmpdir(), "replay-job-api-"));
    const socketPath = path.join(dir, "engine.sock");
    const asked: string[] = [];
    const server = http.createServer((req, res) => {
      asked.push(`${req.method ?? ""} ${(req.url ?? "").split("?")[0] ?? ""}`);
      res.writeHead(200, { "content-type": "application/json" }).end(req.url?.startsWith("/volumes") ? "{}" : "[]");
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const jobSocket = path.join(dir, "job.sock");
    const job = await new RunDockerApi({ socketPath }, "1", false).openForJob({ socketPath: jobSocket, jobKey: "j", jobContainerId: "c", labels: {} });
    closers.push(() => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return { asked, job, jobSocket };
  }

  it("asks the engine nothing when no step called it (the job created nothing)", async () => {
    const { asked, job } = await jobApi();
    await job.close({ removeCreated: true });
    expect(asked).toEqual([]);
  });

  it("looks for what the job created once a step called it", async () => {
    const { asked, job, jobSocket } = await jobApi();
    await new Promise<void>((resolve, reject) => {
      http.get({ socketPath: jobSocket, path: "/v1.41/containers/json" }, (res) => res.resume().on("end", resolve)).on("error", reject);
    });
    asked.length = 0;
    await job.close({ removeCreated: true });
    expect(asked).toEqual(["GET /containers/json", "GET /networks", "GET /volumes"]);
  });
});
