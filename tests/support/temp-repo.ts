import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" };

/** A committed repository in a temporary folder: `files` (path to text), a folder copied in first. */
export function tempRepo(prefix: string, files: Record<string, string>, copyFrom?: string): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  if (copyFrom !== undefined) cpSync(copyFrom, dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"]]) execFileSync("git", args, { cwd: dir, env: { ...process.env, ...GIT_ENV } });
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every step's output lines of a `--json` replay, joined. */
export const stepLog = (events: readonly Record<string, unknown>[]): string =>
  events.filter((e) => e["type"] === "step.output").map((e) => String(e["line"])).join("\n");
