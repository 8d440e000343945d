import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { BuiltinRegistry } from "../builtin-actions.js";
import type { EventInput } from "../events.js";
import type { JobRunDeps } from "../job/index.js";
import { Masker } from "../masker.js";
import { maskEvent } from "../mask-event.js";
import type { RepoInfo } from "../repo-info.js";
import { LocalRuntime } from "./local-runtime.js";

/** A made-up octo/demo on main whose commit id is `hex` 40 times. */
export function testRepo(hex = "a"): RepoInfo {
  const sha = hex.repeat(40);
  return {
    dir: "/nonexistent/demo",
    owner: "octo",
    name: "demo",
    fullName: "octo/demo",
    sha,
    ref: "refs/heads/main",
    refName: "main",
    refType: "branch",
    defaultBranch: "main",
    actor: "octocat",
    headCommit: { id: sha, message: "test", timestamp: "2024-01-01T00:00:00Z", author: { name: "Octo", email: "octo@example.com" } },
    before: "0".repeat(40),
  };
}

export interface InProcessOptions {
  /** Prefix of the temp folder that becomes hostRunDir. */
  tempPrefix: string;
  /** The workspace tarball's bytes; an empty file unless given. */
  workspace?: Uint8Array;
  /** The run's secrets, each masked before anything runs, as the CLI does. */
  secrets?: Record<string, string> | undefined;
  /** Any other field of the deps. */
  deps?: Partial<JobRunDeps>;
}

/** The deps of one in-process run, and the stand-in Docker and event list behind them. */
export interface InProcessSetup {
  deps: JobRunDeps;
  /** Every event the run emits, in order. */
  events: EventInput[];
  runtime: LocalRuntime;
  hostRunDir: string;
  /** Removes the runtime's containers, then hostRunDir. */
  dispose: () => Promise<void>;
}

/**
 * Deps for running a plan in-process: a LocalRuntime for Docker, a temp hostRunDir with
 * the workspace tarball in it, a push of testRepo(), and events collected in a list.
 */
export async function inProcessDeps(o: InProcessOptions): Promise<InProcessSetup> {
  const hostRunDir = await mkdtemp(path.join(os.tmpdir(), o.tempPrefix));
  const workspaceTar = path.join(hostRunDir, "workspace.tar");
  await writeFile(workspaceTar, o.workspace ?? "");
  const secrets = o.secrets ?? {};
  const masker = new Masker();
  for (const v of Object.values(secrets)) masker.add(v);
  const runtime = new LocalRuntime();
  const events: EventInput[] = [];
  const deps: JobRunDeps = {
    runtime,
    // As the CLI's run session: every event passes the masker.
    emit: (e) => events.push(maskEvent(e, masker)),
    masker,
    builtins: new BuiltinRegistry([]),
    hostRunDir,
    workspaceTar,
    labels: { "dev.replay.test": "1" },
    keepFailed: false,
    run: { runId: "42", runNumber: 7, runAttempt: 1, serverUrl: "https://github.com", apiUrl: "https://api.github.com", graphqlUrl: "https://api.github.com/graphql" },
    repo: testRepo(),
    eventName: "push",
    payload: {},
    secrets,
    vars: {},
    inputs: {},
    hashFiles: async () => "",
    imageEnv: async () => ({ PATH: process.env["PATH"] ?? "/usr/bin:/bin" }),
    imageUser: async () => "runner",
    artifactsDir: path.join(hostRunDir, "artifacts"),
    ...o.deps,
  };
  const dispose = async (): Promise<void> => {
    await runtime.dispose();
    await rm(hostRunDir, { recursive: true, force: true });
  };
  return { deps, events, runtime, hostRunDir, dispose };
}
