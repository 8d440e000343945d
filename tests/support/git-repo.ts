import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** A fresh git repository holding `files` as one commit on main. */
export function gitRepo(name: string, files: Record<string, string>): { dir: string; dispose: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), `replay-${name}-`));
  const dir = path.join(root, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  const env = { ...process.env, GIT_AUTHOR_NAME: "T", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "T", GIT_COMMITTER_EMAIL: "t@example.com" };
  const git = (...args: string[]): void => {
    execFileSync("git", args, { cwd: dir, env, stdio: "pipe" });
  };
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "fixture");
  return { dir, dispose: () => rmSync(root, { recursive: true, force: true }) };
}
