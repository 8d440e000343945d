import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type * as Trace from "./trace.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "replay-trace-"));
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

/** common/trace.ts loaded afresh with REPLAY_TRACE as given (it reads the variable as it loads). */
async function loadWith(file: string | undefined): Promise<typeof Trace> {
  if (file === undefined) vi.stubEnv("REPLAY_TRACE", undefined);
  else vi.stubEnv("REPLAY_TRACE", file);
  vi.resetModules();
  return import("./trace.js");
}

describe("mark", () => {
  it("appends a phase and its wall-clock time to REPLAY_TRACE's file", async () => {
    const file = path.join(dir, "on.jsonl");
    const { mark } = await loadWith(file);
    const before = Date.now();
    mark("cli loaded");
    mark("node started", 1234.5);
    const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { phase: string; atMs: number });
    expect(lines.map((l) => l.phase)).toEqual(["cli loaded", "node started"]);
    expect(lines[0]!.atMs).toBeGreaterThanOrEqual(before - 5);
    expect(lines[0]!.atMs).toBeLessThanOrEqual(Date.now() + 5);
    expect(lines[1]!.atMs).toBe(1234.5);
  });

  it("does nothing when REPLAY_TRACE was unset as the CLI loaded, even if set later", async () => {
    const { mark } = await loadWith(undefined);
    const file = path.join(dir, "late.jsonl");
    process.env["REPLAY_TRACE"] = file;
    mark("cli loaded");
    expect(existsSync(file)).toBe(false);
  });

  it("a file that cannot be written never fails the caller", async () => {
    const { mark } = await loadWith(path.join(dir, "no/such/folder/trace.jsonl"));
    expect(() => mark("cli loaded")).not.toThrow();
  });
});

process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
