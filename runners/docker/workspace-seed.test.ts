import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SEED_TAR, seedLines, seedResult, stageSeed } from "./workspace-seed.js";

let dir: string;
let hostDir: string;
let tar: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "replay-seed-"));
  hostDir = path.join(dir, "runner");
  mkdirSync(hostDir);
  mkdirSync(path.join(dir, "src/ws"), { recursive: true });
  writeFileSync(path.join(dir, "src/ws/file.txt"), "hello\n");
  tar = path.join(dir, "workspace.tar");
  execFileSync("tar", ["-cf", tar, "-C", path.join(dir, "src"), "ws"]);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The start script's seed lines run by the host's sh, as the container runs them: its exit. */
function runScript(dest: string): Promise<number | null> {
  const sh = spawn("sh", ["-c", seedLines().join("\n"), hostDir, dest], { stdio: "ignore" });
  return new Promise((resolve) => sh.on("close", resolve));
}

const asRoot = process.getuid?.() === 0;

describe("the workspace seed", () => {
  it("waits for an archive staged after the script started, then unpacks it and says ok (as root; else failed)", async () => {
    const dest = path.join(dir, "work");
    const script = runScript(dest);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const staged = stageSeed(hostDir, tar, new Promise((resolve) => setTimeout(resolve, 100)));
    expect(await staged).toBe(true);
    expect(await seedResult(hostDir, () => Promise.resolve(true))).toBe(asRoot ? "ok" : "failed");
    await script;
    if (asRoot) expect(readFileSync(path.join(dest, "ws/file.txt"), "utf8")).toBe("hello\n");
    // The link and the markers are gone; the archive itself is the run's.
    expect(existsSync(path.join(hostDir, SEED_TAR))).toBe(false);
    expect(existsSync(tar)).toBe(true);
  });

  it("tells the script to stop waiting when the archive cannot be written, and rejects as the snapshot did", async () => {
    const script = runScript(path.join(dir, "work"));
    await expect(stageSeed(hostDir, tar, Promise.reject(new Error("git failed")))).rejects.toThrow("git failed");
    expect(await seedResult(hostDir, () => Promise.resolve(true))).toBe("failed");
    expect(await script).toBe(0);
  });

  it("tells the script to stop waiting when the archive cannot be linked (another file system)", async () => {
    const script = runScript(path.join(dir, "work"));
    expect(await stageSeed(hostDir, path.join(dir, "missing.tar"))).toBe(false);
    expect(await script).toBe(0);
  });

  it("gives up when the container stops before saying anything", async () => {
    expect(await seedResult(hostDir, () => Promise.resolve(false))).toBe("failed");
  });

  it("gives up on a container that shows no sign of seeing the folder (a daemon in a VM that does not share it)", async () => {
    await stageSeed(hostDir, tar);
    expect(await seedResult(hostDir, () => Promise.resolve(true), 500)).toBe("failed");
    // The link goes: putArchive brings the workspace instead.
    expect(existsSync(path.join(hostDir, SEED_TAR))).toBe(false);
  });
});
