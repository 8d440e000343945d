import { spawn } from "node:child_process";
import type { ShellTarget } from "../../runners/index.js";

// Variables the docker CLI reads for itself: given inline, so that the CLI keeps the
// host's (its config in the host's HOME, the engine in DOCKER_HOST) and the shell gets
// the step's. Every other variable is passed by name only (`-e NAME`), its value taken
// from the CLI's environment, so that no secret shows in the process list.
const HOST_OWNED = /^(HOME|PATH|TMPDIR|SHELL|USER|LOGNAME|DOCKER_.*|XDG_.*)$/;

/** bash when the image has it (as the runner's default shell), else sh. */
const SHELL_SCRIPT = "if command -v bash >/dev/null 2>&1; then exec bash --noprofile --norc -i; else exec sh -i; fi";

export interface ShellCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * The `docker exec -it` that opens a shell where a paused step would run: the job's
 * container, the step's user, working directory and environment.
 */
export function shellCommand(target: ShellTarget, hostEnv: NodeJS.ProcessEnv = process.env): ShellCommand {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(hostEnv)) if (v !== undefined) env[k] = v;
  const args = ["exec", "-it", "-u", target.user, "-w", target.workdir];
  const inline: [string, string][] = [];
  for (const [name, value] of Object.entries(target.env)) {
    if (HOST_OWNED.test(name)) inline.push([name, value]);
    else {
      env[name] = value;
      args.push("-e", name);
    }
  }
  for (const [name, value] of inline) args.push("-e", `${name}=${value}`);
  if (hostEnv["TERM"]) args.push("-e", `TERM=${hostEnv["TERM"]}`);
  args.push("-e", "PS1=[replay] \\w \\$ ");
  args.push(target.containerId, "sh", "-c", SHELL_SCRIPT);
  return { file: "docker", args, env };
}

/** Runs the shell on this terminal; resolves with its exit status when the user leaves it. */
export function openShell(target: ShellTarget, out: NodeJS.WritableStream = process.stderr): Promise<number> {
  const cmd = shellCommand(target);
  out.write(`\n[replay] a shell in the job's container as ${target.user}, in ${target.workdir}, with the step's environment; \`exit\` returns to replay\n`);
  return new Promise<number>((resolve) => {
    const child = spawn(cmd.file, cmd.args, { env: cmd.env, stdio: "inherit" });
    child.on("error", (e) => {
      out.write(`[replay] could not run docker exec: ${e.message} (is the docker CLI installed?)\n`);
      resolve(127);
    });
    child.on("close", (code) => resolve(code ?? 1));
  });
}
