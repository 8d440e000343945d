// The built CLI run without blocking the test's event loop, for tests that serve
// something (a recorded GitHub API) from the test process while the CLI talks to it.
import { spawn } from "node:child_process";
import path from "node:path";
import { CLI, PROJECT_ROOT } from "./corpus.js";

export interface AsyncCliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function runCliAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<AsyncCliRun> {
  return collect(process.execPath, [CLI, ...args], cwd, env);
}

/** The `replay` command itself (bin/replay, the launcher npm installs), as a user runs it. */
export function runLauncher(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<AsyncCliRun> {
  return collect(path.join(PROJECT_ROOT, "bin/replay"), args, cwd, env);
}

function collect(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<AsyncCliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? -1, stdout, stderr }));
  });
}
