// Short child processes (git, gh) with node's own child_process: execa cost ~140 ms of
// module loading on every start, and several ms per call, for what these need.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export interface ProcessOptions {
  cwd?: string;
  /** Added to this process's environment. */
  env?: Readonly<Record<string, string>>;
  /** Killed (SIGTERM) after this long; the result then has no exit code. */
  timeoutMs?: number;
}

export interface ProcessResult {
  /** undefined when the process could not start (ENOENT, a missing cwd) or was killed. */
  exitCode: number | undefined;
  /** The output, with one final newline removed (as a shell's `$(…)` would). */
  stdout: string;
  stderr: string;
}

/** Runs a command to its end with no standard input; never rejects. */
export function runProcess(file: string, args: readonly string[], o: ProcessOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = startProcess(file, args, o, "ignore");
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on("data", (c: Buffer) => stdout.push(c));
    child.stderr?.on("data", (c: Buffer) => stderr.push(c));
    const text = (chunks: Buffer[]): string => Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
    // A command or cwd that does not exist: "error" and no start; the first answer wins.
    child.on("error", () => {
      if (child.pid === undefined) resolve({ exitCode: undefined, stdout: "", stderr: "" });
    });
    child.on("close", (code) => resolve({ exitCode: code ?? undefined, stdout: text(stdout), stderr: text(stderr) }));
    // Killed (the timeout): its own children may hold the pipes open, so they are not waited for.
    child.on("exit", (_code, signal) => {
      if (signal === null) return;
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({ exitCode: undefined, stdout: text(stdout), stderr: text(stderr) });
    });
  });
}

/** A command's words, quoted for sh. */
const shWords = (words: readonly string[]): string => words.map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(" ");

/**
 * Several commands at once, each answered as runProcess would but without its stderr,
 * through one `sh` that starts them all: starting a process from Node blocks its thread
 * ~7 ms here (fork and exec of a large process), a shell's own children cost it nothing.
 * Where there is no /bin/sh (Windows), each is started from Node.
 */
export async function runProcesses(commands: readonly (readonly [string, ...string[]])[], o: Pick<ProcessOptions, "cwd"> = {}): Promise<ProcessResult[]> {
  const oneByOne = (): Promise<ProcessResult[]> => Promise.all(commands.map(([file, ...args]) => runProcess(file, args, o)));
  if (process.platform === "win32") return oneByOne();
  const dir = await mkdtemp(path.join(os.tmpdir(), "replay-sh-"));
  try {
    const script = commands.map((c, i) => `(${shWords(c)} >"$0/${i}" 2>/dev/null; echo $? >"$0/${i}.rc") &`).join("\n");
    // /bin/sh itself, not whichever sh PATH finds (a PATH may hold only the commands).
    // No shell (or no cwd, where each command fails the same way): one by one from Node.
    const shell = await runProcess("/bin/sh", ["-c", `${script}\nwait`, dir], o);
    if (shell.exitCode === undefined) return await oneByOne();
    return await Promise.all(
      commands.map(async (_c, i) => {
        const [out, rc] = await Promise.all([readFile(path.join(dir, String(i)), "utf8").catch(() => ""), readFile(path.join(dir, `${i}.rc`), "utf8").catch(() => "")]);
        const code = Number.parseInt(rc, 10);
        // 127: sh could not find the command, as runProcess answers for ENOENT.
        return { exitCode: Number.isNaN(code) || code === 127 ? undefined : code, stdout: out.replace(/\r?\n$/, ""), stderr: "" };
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Like runProcess, but a failure (any exit status but 0) rejects, with the command and its stderr. */
export async function processOutput(file: string, args: readonly string[], o: ProcessOptions = {}): Promise<string> {
  const r = await runProcess(file, args, o);
  if (r.exitCode !== 0) throw processError(file, args, r);
  return r.stdout;
}

/** The error for a command that failed, saying which and why. */
export function processError(file: string, args: readonly string[], r: { exitCode: number | undefined; stderr: string }): Error {
  const how = r.exitCode === undefined ? "could not run, or was stopped" : `failed with exit code ${r.exitCode}`;
  return new Error(`${[file, ...args].join(" ")} ${how}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ""}`);
}

/**
 * A started process whose stdout the caller reads as a stream (`git archive`); `done`
 * rejects unless it exits with 0.
 */
export function streamProcess(file: string, args: readonly string[], o: ProcessOptions & { stdin?: "ignore" | "pipe" } = {}): { child: ChildProcess; done: Promise<void> } {
  const child = startProcess(file, args, o, o.stdin ?? "ignore");
  // A process that stops reading early (EPIPE) fails through `done`, not as an uncaught error.
  child.stdin?.on("error", () => undefined);
  const stderr: Buffer[] = [];
  child.stderr?.on("data", (c: Buffer) => stderr.push(c));
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", (e) => reject(new Error(`${[file, ...args].join(" ")} could not run: ${e.message}`, { cause: e })));
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(processError(file, args, { exitCode: code ?? undefined, stderr: Buffer.concat(stderr).toString("utf8") }));
    });
  });
  return { child, done };
}

function startProcess(file: string, args: readonly string[], o: ProcessOptions, stdin: "ignore" | "pipe"): ChildProcess {
  return spawn(file, args, {
    ...(o.cwd === undefined ? {} : { cwd: o.cwd }),
    env: o.env ? { ...process.env, ...o.env } : process.env,
    stdio: [stdin, "pipe", "pipe"],
    ...(o.timeoutMs === undefined ? {} : { timeout: o.timeoutMs }),
  });
}
