import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { DockerRequiredError, ImageUnavailableError } from "../../common/index.js";
import { interpolateAsync } from "../../workflows/index.js";
import type { ValueMap } from "../../workflows/index.js";
import type { StepHost } from "../job/step-host.js";
import type { DockerRuns } from "./action-manifest.js";
import type { ActionContainer, ContainerActionRuntime } from "./container-action-runtime.js";
import type { Invocation, InvocationResult } from "./job-actions.js";
import { actionEnv } from "./node-action.js";
import { moveTop, packDir, readAll, retar } from "./tar-tools.js";

/** Where GitHub's runner mounts the job's folders in a Docker action's container. */
export const GITHUB_MOUNTS = {
  workspace: "/github/workspace",
  home: "/github/home",
  workflow: "/github/workflow",
  fileCommands: "/github/file_commands",
  runnerTemp: "/github/runner_temp",
} as const;

export const ACTION_IMAGE_LABEL = "dev.replay.image";

/** An input looked up as the runner's inputs dictionary does: case-insensitively. */
function input(inputs: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(inputs).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : inputs[key];
}

/** `with: args:` split as a command line: blanks separate, quotes group, a backslash escapes. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: '"' | "'" | undefined;
  let any = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && (line[i + 1] === '"' || line[i + 1] === "\\")) cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      any = true;
    } else if (/\s/.test(c)) {
      if (cur !== "" || any) out.push(cur);
      cur = "";
      any = false;
    } else if (c === "\\" && i + 1 < line.length) cur += line[++i];
    else cur += c;
  }
  if (cur !== "" || any) out.push(cur);
  return out;
}

/**
 * The step's environment as the container sees it: paths of the job's folders become the
 * paths they are mounted at, as the runner's TranslateToContainerPath does.
 */
export function translatePaths(env: Record<string, string>, p: StepHost["paths"]): Record<string, string> {
  const map: [string, string][] = [
    [p.workspace, GITHUB_MOUNTS.workspace],
    [p.fileCommands, GITHUB_MOUNTS.fileCommands],
    [`${p.temp}/_github_home`, GITHUB_MOUNTS.home],
    [`${p.temp}/_github_workflow`, GITHUB_MOUNTS.workflow],
    [p.temp, GITHUB_MOUNTS.runnerTemp],
  ];
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    const hit = map.find(([from]) => v === from || v.startsWith(`${from}/`));
    out[k] = hit ? hit[1] + v.slice(hit[0].length) : v;
  }
  return out;
}

function runtimeOf(host: StepHost): ContainerActionRuntime {
  const r = host.deps.actions?.containers;
  if (!r) throw new DockerRequiredError("Docker actions need replay's Docker engine, which this run does not have", { exitCode: 1 });
  return r;
}

/**
 * The action's image: a `docker://` image must be on this machine already (replay pulls
 * nothing); a Dockerfile is built from the action's folder and tagged after a hash of
 * that folder, so an unchanged action is built once.
 */
async function actionImage(inv: Invocation, runtime: ContainerActionRuntime): Promise<string> {
  const { host, action } = inv;
  const runs = action.manifest.runs as DockerRuns;
  if (runs.image.toLowerCase().startsWith("docker://")) {
    const image = runs.image.slice("docker://".length);
    if (!(await runtime.hasImage(image))) {
      throw new ImageUnavailableError(`the image ${image} of ${action.display} is not on this machine, and replay does not pull action images`, {
        hint: `pull or build ${image} (docker pull ${image}) and replay again`,
        exitCode: 1,
      });
    }
    return image;
  }
  const dockerfile = path.posix.normalize(runs.image);
  const contextRel = path.posix.dirname(dockerfile);
  let tarred: Readable;
  if (action.hostDir !== undefined) {
    tarred = Readable.from([await packDir(path.join(action.hostDir, contextRel), "", { uid: 0, gid: 0 })]);
  } else {
    tarred = retar(await host.container.copyOut(path.posix.join(action.dir, contextRel)), moveTop("")).stream;
  }
  const { stream, digest } = retar(tarred, (n) => n.replace(/^\.\//, ""));
  const context = await readAll(stream);
  const hash = createHash("sha256").update(await digest).update(`\0${path.posix.basename(dockerfile)}`).digest("hex");
  const tag = `replay-action:${hash.slice(0, 16)}`;
  if (await runtime.hasImage(tag)) return tag;
  host.log("##[group]Building docker image");
  host.log(`Dockerfile for action: '${path.posix.join(action.dir, dockerfile)}'.`);
  try {
    await runtime.buildImage({
      context,
      dockerfile: path.posix.basename(dockerfile),
      tag,
      labels: { [ACTION_IMAGE_LABEL]: "action", "dev.replay.image.hash": hash, "dev.replay.action": action.display },
      onLine: (l) => host.log(l),
    });
  } finally {
    host.log("##[endgroup]");
  }
  return tag;
}

/** The job's workspace and temp folders as a tar for `/` of the action's container. */
async function stageIn(host: StepHost, c: ActionContainer): Promise<void> {
  const p = host.paths;
  await host.container.exec({
    cmd: ["mkdir", "-p", `${p.temp}/_github_home`, `${p.temp}/_github_workflow`],
    env: {},
    user: host.user,
    onStdout: () => undefined,
    onStderr: () => undefined,
  });
  const fileCommands = (rest: string): boolean => rest === "_runner_file_commands" || rest.startsWith("_runner_file_commands/");
  const copies: [string, (n: string) => string | undefined][] = [
    [p.workspace, moveTop("github/workspace")],
    [p.temp, moveTop("github/runner_temp", fileCommands)],
    [`${p.temp}/_github_home`, moveTop("github/home")],
    [`${p.temp}/_github_workflow`, moveTop("github/workflow")],
  ];
  for (const [from, rename] of copies) await c.copyIn(retar(await host.container.copyOut(from), rename).stream, "/");
}

/**
 * What the action changed goes back to the job: the workspace exactly (deleted files
 * too, files it made owned by the container's user, as on GitHub), temp and home merged.
 */
async function stageOut(host: StepHost, c: ActionContainer): Promise<void> {
  const p = host.paths;
  const parentOf = (dir: string): string => path.posix.dirname(dir);
  const clear = await host.container.exec({
    cmd: ["sh", "-c", 'find "$1" -mindepth 1 -delete', "sh", p.workspace],
    env: {},
    user: "root",
    onStdout: () => undefined,
    onStderr: () => undefined,
  });
  if (clear !== 0) host.log("##[warning]replay could not clear the workspace before copying the action's changes back; deleted files may remain");
  const fileCommands = (rest: string): boolean => rest === "_runner_file_commands" || rest.startsWith("_runner_file_commands/");
  const copies: [string, string, (n: string) => string | undefined][] = [
    [GITHUB_MOUNTS.workspace, parentOf(p.workspace), moveTop(path.posix.basename(p.workspace))],
    [GITHUB_MOUNTS.runnerTemp, parentOf(p.temp), moveTop(path.posix.basename(p.temp), fileCommands)],
    [GITHUB_MOUNTS.home, p.temp, moveTop("_github_home")],
  ];
  for (const [from, to, rename] of copies) await host.container.copyIn(retar(await c.copyOut(from), rename).stream, to);
}

/**
 * A Docker action's pre-entrypoint, entrypoint or post-entrypoint, in a container of its
 * own as the runner's ContainerActionHandler runs it: the workspace at /github/workspace,
 * HOME=/github/home, the event at /github/workflow, the env files at
 * /github/file_commands, RUNNER_TEMP at /github/runner_temp, the Docker socket.
 *
 * The job's workspace lives inside the job container (a copy, never a bind of the user's
 * tree), so it cannot be mounted: it is copied into the action's container before it
 * starts and copied back, deletions included, once it exits.
 */
export async function runDockerAction(inv: Invocation): Promise<InvocationResult> {
  const { host, action } = inv;
  const runs = action.manifest.runs as DockerRuns;
  const entrypoint = inv.phase === "pre" ? runs.preEntrypoint : inv.phase === "post" ? runs.postEntrypoint : (runs.entrypoint ?? input(inv.inputs, "entryPoint"));
  if (inv.phase !== "main" && entrypoint === undefined) return { ok: true, outputs: {} };
  const runtime = runtimeOf(host);
  const image = await actionImage(inv, runtime);
  const opts = host.evalOptions({ env: inv.env, inputs: inv.inputs });
  const args = runs.args !== undefined ? await Promise.all(runs.args.map((a) => interpolateAsync(a, opts))) : splitArgs(input(inv.inputs, "args") ?? "");
  // The action's own `env:` never overrides what the step sets.
  const own: Record<string, string> = {};
  for (const [k, v] of Object.entries(runs.env)) if (!(k in inv.env)) own[k] = await interpolateAsync(v, opts);
  const procEnv = await host.processEnv(actionEnv(inv, own), { stateKey: inv.stateKey });
  const env: Record<string, string> = { ...host.runnerEnv, ...procEnv, HOME: GITHUB_MOUNTS.home };
  // The job's PATH is of no use in another image; only one the step sets itself goes in.
  if (inv.env["PATH"] === undefined) delete env["PATH"];
  else env["PATH"] = inv.env["PATH"];
  const job = host.evalOptions().contexts.job as ValueMap | undefined;
  const network = ((job?.["container"] as ValueMap | undefined)?.["network"] as string | undefined) || undefined;
  const binds: { host: string; container: string }[] = [{ host: host.hostDir, container: GITHUB_MOUNTS.fileCommands }];
  if (existsSync("/var/run/docker.sock")) binds.push({ host: "/var/run/docker.sock", container: "/var/run/docker.sock" });
  const c = await runtime.createContainer({
    image,
    name: `replay-${host.deps.run.runId}-action-${randomUUID().slice(0, 8)}`,
    labels: { ...host.deps.labels, "dev.replay.job": host.cell.jobKey, "dev.replay.action": action.display },
    env: translatePaths(env, host.paths),
    ...(entrypoint === undefined ? {} : { entrypoint }),
    cmd: args,
    workdir: GITHUB_MOUNTS.workspace,
    binds,
    ...(network ? { networkMode: network } : {}),
  });
  let refused = false;
  let exitCode = 1;
  try {
    await stageIn(host, c);
    // Its output is read as a `run:` step's: the job's one applier of workflow commands.
    const output = host.processOutput(inv.env, { stateKey: inv.stateKey });
    if (!host.isCancelled()) {
      host.setKill(() => c.stop());
      try {
        exitCode = await c.run((b) => output.stdout(b), (b) => output.stderr(b));
      } finally {
        host.setKill(undefined);
      }
      refused = output.end().refused;
      await stageOut(host, c);
    }
  } finally {
    await c.remove().catch(() => undefined);
  }
  const done = await host.finishProcess({ stateKey: inv.stateKey });
  if (done.error) host.log(`##[error]${done.error}`);
  return { ok: exitCode === 0 && !refused && !done.error, outputs: done.outputs };
}
