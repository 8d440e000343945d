// The built CLI run without blocking the test's event loop, for tests that serve
// something (a recorded GitHub API) from the test process while the CLI talks to it.
import { spawn } from "node:child_process";
import { CLI } from "./corpus.js";

export interface AsyncCliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function runCliAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<AsyncCliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? -1, stdout, stderr }));
  });
}
