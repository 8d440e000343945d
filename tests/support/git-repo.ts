import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** The identity test repositories commit as. */
export const GIT_ENV = { GIT_AUTHOR_NAME: "T", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "T", GIT_COMMITTER_EMAIL: "t@example.com" };

/** A file's text or bytes, or its text and mode (for a script the job runs). */
export type GitFile = string | Uint8Array | { text: string; mode: number };

export interface GitRepo {
  dir: string;
  /** Removes the repository and the temp folder around it. */
  dispose: () => void;
}

/** A fresh git repository holding `files` as one commit on main. */
export function gitRepo(name: string, files: Record<string, GitFile>): GitRepo {
  const root = mkdtempSync(path.join(os.tmpdir(), `replay-${name}-`));
  const dir = path.join(root, name);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    if (typeof content === "string" || content instanceof Uint8Array) writeFileSync(path.join(dir, file), content);
    else writeFileSync(path.join(dir, file), content.text, { mode: content.mode });
  }
  const env = { ...process.env, ...GIT_ENV };
  const git = (...args: string[]): void => {
    execFileSync("git", args, { cwd: dir, env, stdio: "pipe" });
  };
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "fixture");
  return { dir, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/** A fresh git repository whose one workflow, `.github/workflows/w.yml`, is `workflow`, with `files` beside it. */
export function workflowRepo(name: string, workflow: string, files: Record<string, GitFile> = {}): GitRepo {
  return gitRepo(name, { ".github/workflows/w.yml": workflow, ...files });
}
