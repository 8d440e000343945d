import { describe, expect, it } from "vitest";
import { isProcessAlive, isReapable } from "./reaper.js";
import type { ReapPolicy } from "./reaper.js";

const now = new Date("2025-06-01T12:00:00Z");
const hoursAgo = (h: number): string => new Date(now.getTime() - h * 3600_000).toISOString();
const livePids = new Set([100]);
const policy = (all: boolean): ReapPolicy => ({ all, hostname: "here", now, isAlive: (pid) => livePids.has(pid) });

const labels = (host: string | undefined, pid: string | undefined, started: string | undefined): Record<string, string> => ({
  "dev.replay.run": "r1",
  ...(host === undefined ? {} : { "dev.replay.host": host }),
  ...(pid === undefined ? {} : { "dev.replay.pid": pid }),
  ...(started === undefined ? {} : { "dev.replay.started": started }),
});

describe("isReapable", () => {
  it.each<[string, Record<string, string> | null, boolean, boolean]>([
    // name, labels, reaped by a run (all: false), reaped by `replay gc` (all: true)
    ["this host, live pid", labels("here", "100", hoursAgo(48)), false, false],
    ["this host, dead pid", labels("here", "200", hoursAgo(0)), true, true],
    ["other host, recent", labels("there", "100", hoursAgo(1)), false, true],
    ["other host, older than 24 h", labels("there", "100", hoursAgo(25)), true, true],
    ["this host, pid unreadable, recent", labels("here", "abc", hoursAgo(1)), false, true],
    ["this host, pid unreadable, old", labels("here", "abc", hoursAgo(30)), true, true],
    ["no host label, no start time", labels(undefined, "200", undefined), false, true],
    ["not replay's at all", { "com.example": "x" }, false, false],
    ["no labels", null, false, false],
  ])("%s", (_name, given, byRun, byGc) => {
    expect(isReapable(given, policy(false))).toBe(byRun);
    expect(isReapable(given, policy(true))).toBe(byGc);
  });
});

describe("isProcessAlive", () => {
  it("knows this process is alive and an unused pid is not", () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(2 ** 22 + 12345)).toBe(false);
  });
});
