import { readFile } from "node:fs/promises";
import path from "node:path";
import { NotFoundError } from "../../common/index.js";
import type { UsesReference } from "../../workflows/index.js";
import type { StepHost } from "../job/step-host.js";
import type { RemoteActionRef } from "./action-cache.js";
import { describeRef } from "./action-cache.js";
import { dockerfileOnlyManifest, loadActionManifest } from "./action-manifest.js";
import type { ActionManifest } from "./action-manifest.js";
import type { JobActions, LoadedAction } from "./job-actions.js";
import { ownerOf, packDir } from "./tar-tools.js";

const METADATA_FILES = ["action.yml", "action.yaml"] as const;

/** Whether the action has a `pre` part (node `pre`, Docker `pre-entrypoint`). */
export function preCondition(m: ActionManifest): string | undefined {
  const r = m.runs;
  if (r.using === "composite") return undefined;
  if (r.using === "docker") return r.preEntrypoint === undefined ? undefined : (r.preIf ?? "always()");
  return r.pre === undefined ? undefined : (r.preIf ?? "always()");
}

/** The condition of the action's own `post` part (node `post`, Docker `post-entrypoint`), when it has one. */
export function postCondition(m: ActionManifest): string | undefined {
  const r = m.runs;
  if (r.using === "composite") return undefined;
  if (r.using === "docker") return r.postEntrypoint === undefined ? undefined : (r.postIf ?? "always()");
  return r.post === undefined ? undefined : (r.postIf ?? "always()");
}

/** Reads an action's metadata from a host folder (a remote action in the cache). */
export async function readHostManifest(dir: string, display: string): Promise<ActionManifest> {
  for (const name of METADATA_FILES) {
    const text = await readFile(path.join(dir, name), "utf8").catch(() => undefined);
    if (text !== undefined) return loadActionManifest(`${display}/${name}`, text);
  }
  if (await readFile(path.join(dir, "Dockerfile")).then(() => true, () => false)) return dockerfileOnlyManifest(`${display}/Dockerfile`);
  throw new NotFoundError(`Can't find 'action.yml', 'action.yaml' or 'Dockerfile' for action '${display}'.`, {
    hint: "check the path after owner/repo in `uses:`",
    exitCode: 1,
  });
}

/** Runs a command in the job container quietly and answers its output. */
async function capture(host: StepHost, cmd: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const exitCode = await host.container.exec({
    cmd,
    env: {},
    user: host.user,
    onStdout: (c) => (stdout += c.toString()),
    onStderr: (c) => (stderr += c.toString()),
  });
  return { exitCode, stdout, stderr };
}

/**
 * A local action is read from the job's workspace when its step runs, as the runner
 * does: a step before it (a checkout, a build) may have made or changed it.
 */
async function loadLocal(host: StepHost, relPath: string): Promise<LoadedAction> {
  const dir = path.posix.resolve(host.workspace, relPath || ".");
  const script = [
    'cd "$1" 2>/dev/null || exit 3',
    'for f in action.yml action.yaml; do if [ -f "$f" ]; then echo "$f"; cat "$f"; exit 0; fi; done',
    "if [ -f Dockerfile ]; then echo Dockerfile; exit 0; fi",
    "exit 3",
  ].join("\n");
  const r = await capture(host, ["sh", "-c", script, "sh", dir]);
  const display = `./${relPath}`.replace(/\/+$/, "") || ".";
  if (r.exitCode !== 0) {
    throw new NotFoundError(`Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '${dir}'. Did you forget to run actions/checkout before running your local action?`,
      { exitCode: 1 },
    );
  }
  const nl = r.stdout.indexOf("\n");
  const name = (nl < 0 ? r.stdout : r.stdout.slice(0, nl)).trim();
  const text = nl < 0 ? "" : r.stdout.slice(nl + 1);
  const file = path.posix.join(relPath || ".", name);
  const manifest = name === "Dockerfile" ? dockerfileOnlyManifest(file) : loadActionManifest(file, text);
  return { display, kind: "local", manifest, dir, repository: "", ref: "" };
}

/**
 * A remote action: fetched into the cache (or found there), then copied once per job to
 * `<work>/_actions/<owner>/<repo>/<ref>` in the container, where the runner keeps them.
 */
async function loadRemote(host: StepHost, ref: RemoteActionRef, reg: JobActions): Promise<LoadedAction> {
  const key = `${ref.owner}/${ref.repo}/${ref.path}@${ref.ref}`.toLowerCase();
  const known = reg.remote.get(key);
  if (known) return known;
  const source = host.deps.actions?.source;
  if (!source) {
    throw new NotFoundError(`replay has no source for remote actions here, so it cannot run '${describeRef(ref)}'`, { exitCode: 1 });
  }
  const fetched = await source.fetch(ref);
  const display = describeRef(ref);
  const manifest = await readHostManifest(fetched.dir, display);
  const relRepo = `_actions/${ref.owner}/${ref.repo}/${ref.ref}`;
  if (!reg.copied.has(relRepo)) {
    await host.container.copyIn(await packDir(fetched.repoDir, relRepo, ownerOf(host.user)), host.paths.work);
    reg.copied.add(relRepo);
  }
  const dir = path.posix.join(host.paths.work, relRepo, ref.path);
  const loaded: LoadedAction = { display, kind: "remote", manifest, dir, hostDir: fetched.dir, repository: `${ref.owner}/${ref.repo}`, ref: ref.ref };
  reg.remote.set(key, loaded);
  return loaded;
}

export async function loadAction(host: StepHost, ref: UsesReference, reg: JobActions): Promise<LoadedAction> {
  switch (ref.kind) {
    case "local":
      return loadLocal(host, ref.path);
    case "remote":
      return loadRemote(host, ref, reg);
    case "docker": {
      const display = `docker://${ref.image}`;
      const manifest: ActionManifest = { file: display, name: display, inputs: [], outputs: [], runs: { using: "docker", image: display, env: {} } };
      return { display, kind: "image", manifest, dir: "", repository: "", ref: "" };
    }
  }
}
