import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { namedEngines, prepareEngines } from "./commands/run-engines.js";
import { readReplayConfig } from "./replay-config.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function repoWith(config: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "replay-config-test-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, ".replay.yml"), config);
  return dir;
}

describe(".replay.yml engines:", () => {
  it("names the engines a replay spreads over, each with its slots or --parallel's; --engine wins over it", async () => {
    const config = await readReplayConfig(repoWith("engines:\n  - engine: build-box\n    slots: 8\n  - engine: ssh://ci@10.0.0.7\n"));
    expect(namedEngines({ config, parallel: 3 })).toEqual([
      { name: "build-box", slots: 8 },
      { name: "ssh://ci@10.0.0.7", slots: 3 },
    ]);
    expect(namedEngines({ config, parallel: 3, engines: ["tcp://127.0.0.1:2375"] })).toEqual([{ name: "tcp://127.0.0.1:2375", slots: 3 }]);
    expect(namedEngines({ config: {}, parallel: 2 })).toEqual([]);
  });

  it("refuses a bad entry at its line and column", async () => {
    await expect(readReplayConfig(repoWith("engines:\n  - engine: build-box\n    slots: 0\n"))).rejects.toThrow(/\.replay\.yml:3:\d+: 'engines\.0\.slots'/);
    await expect(readReplayConfig(repoWith("engines:\n  - host: build-box\n"))).rejects.toThrow(/\.replay\.yml:2:\d+: .*unknown key 'host'/);
  });

  it("refuses an empty --engine and an engine named twice before connecting to any", async () => {
    const settings = { runId: "1", config: {}, repoDir: ".", parallel: 2, allowPrivileged: false, imageOverrides: {}, toolCache: { volume: "v", mountPath: "/t" }, notice: () => undefined };
    await expect(prepareEngines([], { ...settings, engines: [""] })).rejects.toThrow("--engine: an empty engine");
    await expect(prepareEngines([], { ...settings, engines: ["a", "a"] })).rejects.toThrow("an engine is named twice: a, a");
  });
});
