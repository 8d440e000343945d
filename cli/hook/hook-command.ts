// `replay hook install | uninstall | run`, wired to git, Docker and the replay engine.
// The code of each subcommand is imported when it runs (see program.ts).
import path from "node:path";
import type { Command } from "commander";
import { parseDuration } from "./duration.js";
import type { HookCommand } from "./hook-install.js";
import { SKIP_HINT } from "./skip-hint.js";
import { defaultParallel } from "../option-args.js";

interface HookFlags {
  jobs?: string;
  timeout?: string;
}

const jobList = (text: string | undefined): string[] | undefined =>
  text === undefined ? undefined : text.split(",").map((j) => j.trim()).filter(Boolean);

/** The options `hook install` records in the script, passed on to `hook run`. */
function runArgs(flags: HookFlags): string[] {
  const jobs = jobList(flags.jobs);
  return [...(jobs?.length ? ["--jobs", jobs.join(",")] : []), ...(flags.timeout !== undefined ? ["--timeout", flags.timeout] : [])];
}

/** This replay: the node running it and its entry, dist/cli/main.js. */
function thisReplay(entry: string, args: string[]): HookCommand {
  return { node: process.execPath, entry, args };
}

async function readStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

export function addHookCommands(program: Command, dir: () => string, exit: (code: number) => void, entry: string): void {
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const hook = program
    .command("hook")
    .description("a pre-push hook that replays the CI jobs a push triggers, on the pushed commits, and blocks the push when one fails");

  hook
    .command("install")
    .description("write the pre-push hook where git looks for hooks (an existing hook is kept and runs first)")
    .option("--jobs <ids>", "replay only these jobs (comma-separated; default: .replay.yml's hook.jobs, else every job that can run here)")
    .option("--timeout <duration>", "block the push when the replay takes longer, e.g. 5m (default: .replay.yml's hook.timeout, else none)")
    .action(async (flags: HookFlags) => {
      if (flags.timeout !== undefined) parseDuration(flags.timeout, "--timeout");
      const command = thisReplay(entry, runArgs(flags));
      const { installHook, managerInstructions, onPath } = await import("./hook-install.js");
      const r = await installHook(dir(), command);
      switch (r.kind) {
        case "managed":
          for (const line of managerInstructions(r, command.args, await onPath("replay"), command)) say(line);
          break;
        case "unchanged":
          say(`replay: the pre-push hook at ${r.where.hookFile} is installed already (unchanged)`);
          break;
        case "installed":
          say(`replay: ${r.updated ? "updated" : "installed"} the pre-push hook at ${r.where.hookFile}`);
          if (r.chained) say(`  the hook that was there is kept as ${r.where.chainedFile}; it runs first, and its failure blocks the push too`);
          say(`  it replays ${jobList(flags.jobs)?.join(", ") ?? "hook.jobs of .replay.yml, or else every job that can run here"} of the workflows each push triggers${flags.timeout ? `, for at most ${flags.timeout}` : ""}`);
          say(`  ${SKIP_HINT}; remove it with \`replay hook uninstall\``);
          break;
      }
      exit(0);
    });

  hook
    .command("uninstall")
    .description("remove replay's pre-push hook and put back the hook that was there")
    .action(async () => {
      const { uninstallHook } = await import("./hook-install.js");
      const r = await uninstallHook(dir());
      if (r.kind === "removed") {
        say(`replay: removed the pre-push hook${r.restored ? `; ${r.where.hookFile} is the hook that was there before again` : ` from ${r.where.hookFile}`}`);
      } else if (r.manager) {
        say(`replay: no replay hook at ${r.where.hookFile}; ${r.manager.manager} manages the hooks here, so remove the replay entry from ${r.manager.file} if you added one`);
      } else {
        say(`replay: no replay hook at ${r.where.hookFile}; nothing to do`);
      }
      exit(0);
    });

  hook
    .command("run")
    .description("what the pre-push hook runs: reads git's pre-push input on stdin and replays what the push triggers")
    .argument("[remote]", "the remote's name (git's first argument to the hook)")
    .argument("[url]", "the remote's URL (git's second argument)")
    .option("--jobs <ids>", "replay only these jobs (comma-separated)")
    .option("--timeout <duration>", "block the push when the replay takes longer, e.g. 5m")
    .action(async (remote: string | undefined, url: string | undefined, flags: HookFlags) => {
      const repoDir = dir();
      const [{ connectDocker, imageStatus }, { executePlan, readDotenv }, { readReplayConfig }, { hookRun }, { imageProblemsOf }] = await Promise.all([
        import("../../runners/docker/index.js"),
        import("../commands/replay-command.js"),
        import("../replay-config.js"),
        import("./hook-run.js"),
        import("./image-problems.js"),
      ]);
      let connected: ReturnType<typeof connectDocker> | undefined;
      const docker = async (): Promise<Awaited<ReturnType<typeof connectDocker>>["docker"]> => (await (connected ??= connectDocker())).docker;
      const code = await hookRun({
        dir: repoDir,
        remote,
        url,
        jobs: jobList(flags.jobs),
        timeout: flags.timeout,
        stdin: await readStdin(),
        env: process.env,
        out: process.stdout,
        readSecrets: readDotenv,
        imageProblems: async (jobs) => {
          const config = await readReplayConfig(repoDir);
          const caCertsFile = config.caCerts ? path.resolve(repoDir, config.caCerts) : undefined;
          return imageProblemsOf(jobs, async (name) => imageStatus(await docker(), { name, ...(caCertsFile ? { caCertsFile } : {}) }));
        },
        execute: (plan, run) =>
          executePlan(plan, { repo: run.repo, secrets: run.secrets, vars: {}, inputs: {} }, {
            dir: repoDir,
            event: "push",
            matrix: [],
            input: [],
            secret: [],
            var: [],
            image: [],
            from: run.from,
            parallel: defaultParallel(),
            keep: false,
            environments: [],
            pull: false,
            reporters: run.reporters,
            signal: run.signal,
            hashFiles: run.hashFiles,
            docker: (connected ??= connectDocker()),
          }),
      });
      exit(code);
    });
}
