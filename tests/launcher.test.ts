import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "./support/corpus.js";

// bin/replay finds dist/ beside itself however it is reached: npm links it into a bin
// folder with a relative link (node_modules/.bin/replay -> ../<package>/bin/replay).
describe("the replay launcher", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "replay-launcher-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(dir, "node_modules/.bin");
  mkdirSync(bin, { recursive: true });
  symlinkSync(PROJECT_ROOT, path.join(dir, "node_modules/replay-ci"));
  symlinkSync("../replay-ci/bin/replay", path.join(bin, "replay"));
  const usage = (file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string =>
    execFileSync(file, [...args, "--help"], { cwd, env, encoding: "utf8" }).split("\n")[0] ?? "";

  it("through npm's relative link, found on PATH", () => {
    expect(usage("replay", [], dir, { ...process.env, PATH: `${bin}${path.delimiter}${process.env["PATH"] ?? ""}` })).toBe("Usage: replay [options] [command]");
  });

  it("run by sh with a name without a folder", () => {
    expect(usage("sh", ["replay"], bin)).toBe("Usage: replay [options] [command]");
    expect(usage("sh", ["replay"], path.join(PROJECT_ROOT, "bin"))).toBe("Usage: replay [options] [command]");
  });
});
