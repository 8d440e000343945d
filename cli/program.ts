import os from "node:os";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ReplayError, UsageError, formatProblem } from "../common/index.js";
import type { Reporter } from "../runners/index.js";
import { connectDocker, reap } from "../runners/docker/index.js";
import { listWorkflows, printList } from "./commands/list-command.js";
import { replayCommand } from "./commands/replay-command.js";
import { loadRepo } from "./load-repo.js";
import { JsonReporter } from "./reporters/json-reporter.js";
import { PlainReporter } from "./reporters/plain-reporter.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a whole number of 1 or more");
  return n;
}

interface GlobalOptions {
  dir: string;
}

interface ReplayFlags {
  workflow?: string;
  event: string;
  matrix: string[];
  input: string[];
  secret: string[];
  secretFile?: string;
  var: string[];
  image: string[];
  from?: string;
  parallel: number;
  keep: boolean;
  base?: string;
  githubToken?: string;
  json: boolean;
}

function addReplayOptions(cmd: Command): Command {
  return cmd
    .option("-w, --workflow <path>", "a workflow file, or a folder of workflow files (default: .github/workflows)")
    .option("-e, --event <name>", "the event that triggers the replay", "push")
    .option("-m, --matrix <key=value>", "select matrix cells (repeatable)", collect, [])
    .option("-i, --input <key=value>", "a workflow_dispatch input (repeatable)", collect, [])
    .option("-s, --secret <NAME[=VALUE]>", "a secret; without a value it is read from the environment (repeatable)", collect, [])
    .option("--secret-file <file>", "secrets from a dotenv file (.secrets in the repository is read when present)")
    .option("--var <key=value>", "a configuration variable for the vars context (repeatable)", collect, [])
    .option("--image <label=image>", "run jobs whose runs-on has this label in this image (repeatable)", collect, [])
    .addOption(new Option("--from <source>", "what the jobs see: the working tree (tracked files, with uncommitted changes) or exactly HEAD").choices(["worktree", "HEAD"]).default("worktree"))
    .option("-p, --parallel <n>", "how many job containers run at once", positiveInt, Math.max(1, os.availableParallelism()))
    .option("--keep", "keep a failed job's container for inspection", false)
    .option("--base <ref>", "the base of a pull_request event, and what path filters compare against")
    .option("--github-token <token>", "a token for secrets.GITHUB_TOKEN (none is given by default)")
    .option("--json", "print the event stream as JSON Lines", false);
}

function reportersFor(flags: { json: boolean }): Reporter[] {
  return [flags.json ? new JsonReporter() : new PlainReporter()];
}

async function runReplay(global: GlobalOptions, flags: ReplayFlags, job: string | undefined): Promise<number> {
  return replayCommand({
    dir: global.dir,
    ...(flags.workflow === undefined ? {} : { workflow: flags.workflow }),
    event: flags.event,
    ...(job === undefined ? {} : { job }),
    matrix: flags.matrix,
    input: flags.input,
    secret: flags.secret,
    ...(flags.secretFile === undefined ? {} : { secretFile: flags.secretFile }),
    var: flags.var,
    image: flags.image,
    from: flags.from === "HEAD" ? "HEAD" : "worktree",
    parallel: flags.parallel,
    keep: flags.keep,
    ...(flags.base === undefined ? {} : { base: flags.base }),
    ...(flags.githubToken === undefined ? {} : { githubToken: flags.githubToken }),
    reporters: reportersFor(flags),
  });
}

/** Builds the program; `exit` receives the command's exit status. */
export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command("replay")
    .description("Run a repository's GitHub Actions CI on your own machine, exactly, before the push.")
    .option("-C, --dir <dir>", "run as if started in <dir>", process.cwd())
    .showHelpAfterError("(run `replay --help` for usage)")
    .exitOverride();

  const global = (): GlobalOptions => program.opts<GlobalOptions>();

  program
    .command("list")
    .description("list workflows, their events, jobs, needs and every matrix cell")
    .option("-w, --workflow <path>", "a workflow file or folder")
    .option("--json", "print JSON", false)
    .action(async (flags: { workflow?: string; json: boolean }) => {
      const { loaded } = await loadRepo(global().dir, flags.workflow);
      const listed = listWorkflows(loaded.workflows);
      if (flags.json) process.stdout.write(`${JSON.stringify({ workflows: listed, problems: loaded.problems }, null, 2)}\n`);
      else printList(listed, loaded.problems, process.stdout);
      exit(0);
    });

  program
    .command("validate")
    .description("report every problem in the workflows, with file:line:col; exit 2 if any")
    .option("-w, --workflow <path>", "a workflow file or folder")
    .option("--json", "print JSON", false)
    .action(async (flags: { workflow?: string; json: boolean }) => {
      const { loaded } = await loadRepo(global().dir, flags.workflow);
      const ok = loaded.files.length - new Set(loaded.problems.map((p) => p.file)).size;
      if (flags.json) {
        const problems = loaded.problems.map((p) => ({ ...p, text: formatProblem(p) }));
        process.stdout.write(`${JSON.stringify({ files: loaded.files, valid: ok, problems }, null, 2)}\n`);
      } else {
        process.stdout.write(`${loaded.files.length} workflow file(s): ${ok} valid, ${loaded.files.length - ok} with problems (${loaded.problems.length} problem(s))\n`);
      }
      // Problems always go to stderr too, one `file:line:col: message` a line.
      for (const p of loaded.problems) process.stderr.write(`${formatProblem(p)}\n`);
      exit(loaded.problems.length ? 2 : 0);
    });

  addReplayOptions(
    program
      .command("job")
      .description("replay one job (every matrix cell, or those --matrix selects) and the jobs it needs")
      .argument("<job>", "the job id"),
  ).action(async (job: string, flags: ReplayFlags) => exit(await runReplay(global(), flags, job)));

  addReplayOptions(
    program.command("run").description("replay every workflow the event triggers (default: push)"),
  ).action(async (flags: ReplayFlags) => exit(await runReplay(global(), flags, undefined)));

  program
    .command("gc")
    .description("remove every container, network and volume replay left behind (crashed or killed runs)")
    .action(async () => {
      const { docker } = await connectDocker();
      const r = await reap(docker, { all: true });
      process.stdout.write(`removed ${r.containers} container(s), ${r.networks} network(s), ${r.volumes} volume(s)\n`);
      exit(0);
    });

  return program;
}

/** The one place errors become messages: user mistakes are ReplayErrors, anything else a bug. */
export function reportError(e: unknown, json: boolean): number {
  if (e instanceof CommanderError) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
    // commander already printed its message
    return 2;
  }
  if (e instanceof ReplayError) {
    if (json) {
      const event: Record<string, unknown> = { type: "error", at: new Date().toISOString(), message: e.message };
      if (e.hint) event["hint"] = e.hint;
      const pos = e as Partial<{ file: string; line: number; col: number }>;
      if (pos.file) Object.assign(event, { file: pos.file, line: pos.line, col: pos.col });
      process.stdout.write(`${JSON.stringify(event)}\n`);
    }
    process.stderr.write(`error: ${e.message}\n`);
    if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
    return e.exitCode;
  }
  process.stderr.write(`replay hit a bug; please report it with this output:\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 70;
}

export { UsageError };
