import { describe, expect, it } from "vitest";
import { RunnerSizing, documentedSize, makeRunnerSizing, parseMemory, runsOnLabelList } from "./runner-size.js";

const GiB = 1024 ** 3;
const host = (cpus: number, gib: number) => () => Promise.resolve({ cpus, memoryBytes: gib * GiB });

describe("documentedSize", () => {
  it.each([
    ["public", "ubuntu-latest", 4, 16],
    ["public", "ubuntu-24.04", 4, 16],
    ["public", "ubuntu-22.04-arm", 4, 16],
    ["public", "ubuntu-slim", 1, 5],
    ["private", "ubuntu-latest", 2, 7],
    ["private", "ubuntu-24.04-arm", 2, 8],
  ] as const)("%s %s: %d CPUs, %d GB", (mode, label, cpus, gib) => {
    expect(documentedSize(mode, label)).toEqual({ cpus, memoryBytes: gib * GiB });
  });
  it("knows no size for a self-hosted or larger-runner label", () => {
    expect(documentedSize("public", "self-hosted")).toBeUndefined();
    expect(documentedSize("public", "ubuntu-latest-8-cores")).toBeUndefined();
  });
});

describe("parseMemory", () => {
  it.each([["32G", 32 * GiB], ["7GB", 7 * GiB], ["8GiB", 8 * GiB], ["512m", 512 * 1024 ** 2], [1024, 1024], ["1.5g", 1.5 * GiB]] as const)("%s", (v, bytes) => {
    expect(parseMemory(v)).toBe(bytes);
  });
  it.each(["lots", "0", "", "-1G", "16 GB of RAM"])("refuses %j", (v) => expect(parseMemory(v)).toBeUndefined());
});

describe("RunnerSizing", () => {
  it("gives a public ubuntu-latest job 4 CPUs and 16 GB on a host that has them", async () => {
    const d = await new RunnerSizing("public", {}, host(16, 64)).decide(["ubuntu-latest"]);
    expect(d).toMatchObject({ label: "ubuntu-latest", limits: { cpusetCpus: "0,1,2,3", nanoCpus: 4e9, memoryBytes: 16 * GiB } });
    expect(d && "degraded" in d).toBe(false);
  });
  it("marks the job degraded when the host has fewer CPUs or less memory than the size", async () => {
    const d = await new RunnerSizing("public", {}, host(2, 8)).decide(["ubuntu-latest"]);
    expect(d).toMatchObject({ limits: { cpusetCpus: "0,1", nanoCpus: 2e9, memoryBytes: 8 * GiB } });
    expect(d && "degraded" in d ? d.degraded : "").toBe("this host has 2 CPUs and 8 GB: the job runs with 2 of its 4 CPUs and 8 GB of its 16 GB of memory");
  });
  it("spreads jobs over the host's CPUs", async () => {
    const s = new RunnerSizing("private", {}, host(8, 64));
    const sets = [];
    for (let i = 0; i < 5; i++) {
      const d = await s.decide(["ubuntu-latest"]);
      sets.push(d && "limits" in d ? d.limits.cpusetCpus : "");
    }
    expect(sets).toEqual(["0,1", "2,3", "4,5", "6,7", "0,1"]);
  });
  it("takes .replay.yml's size for a larger-runner label, before GitHub's table", async () => {
    const s = makeRunnerSizing("public", { "runner-sizes": { "ubuntu-latest-8-cores": { cpus: 8, memory: "32G" }, "ubuntu-latest": { cpus: 1, memory: "1G" } } }, host(16, 64));
    expect(await s?.decide(["ubuntu-latest-8-cores"])).toMatchObject({ source: "replay.yml", limits: { nanoCpus: 8e9, memoryBytes: 32 * GiB } });
    expect(await s?.decide(["ubuntu-latest"])).toMatchObject({ source: "replay.yml", limits: { cpusetCpus: "8", memoryBytes: GiB } });
  });
  it("answers unsized for a label without a size, and nothing at all with host", async () => {
    expect(await new RunnerSizing("public", {}, host(2, 8)).decide(["self-hosted", "gpu"])).toEqual({ unsized: "self-hosted, gpu" });
    expect(makeRunnerSizing(undefined, {}, host(2, 8))).toBeUndefined();
    expect(makeRunnerSizing("host", { "runner-size": "public" }, host(2, 8))).toBeUndefined();
    expect(makeRunnerSizing(undefined, { "runner-size": "private" }, host(2, 8))?.mode).toBe("private");
  });
});

describe("runsOnLabelList", () => {
  it("reads a label, a list and a group's labels", () => {
    expect(runsOnLabelList("ubuntu-latest")).toEqual(["ubuntu-latest"]);
    expect(runsOnLabelList(["self-hosted", "x64"])).toEqual(["self-hosted", "x64"]);
    expect(runsOnLabelList({ group: "big", labels: "ubuntu-latest-8-cores" })).toEqual(["ubuntu-latest-8-cores"]);
  });
});
