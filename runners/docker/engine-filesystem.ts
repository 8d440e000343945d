import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type Docker from "dockerode";
import { ReplayError } from "../../common/index.js";

// A job's runner files, step agent and workspace are bind-mounted from this machine's
// folders, so the engine must see this machine's filesystem. An engine elsewhere (a build
// box over tcp:// or ssh://, a second engine in its own mount namespace) would start the
// job and then fail on a missing file; asking first turns that into a refusal.

/** An image name no engine has, so the probe's create can never make a container. */
const ABSENT_IMAGE = "replay-filesystem-probe.invalid/absent:none";

/**
 * Whether the engine sees `hostDir` (a folder that exists here). The engine checks a bind
 * mount's source before it looks for the image, so a create naming an absent image answers
 * "bind source path does not exist" when the folder is not there for it, and "No such
 * image" when it is; no container is made either way. Undefined when the answer says
 * neither (an engine that orders its checks otherwise): the replay goes on as before.
 */
export async function engineSeesFolder(docker: Docker, hostDir: string): Promise<boolean | undefined> {
  try {
    const made = await docker.createContainer({
      Image: ABSENT_IMAGE,
      HostConfig: { Mounts: [{ Type: "bind", Source: hostDir, Target: "/replay-probe", ReadOnly: true }] },
      Labels: { "dev.replay.probe": "filesystem" },
    });
    // Not expected (the image cannot exist); never leave it behind.
    await made.remove({ force: true }).catch(() => undefined);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/bind source path does not exist|no such file or directory/i.test(message)) return false;
    if (/no such image|not found|image not known/i.test(message)) return true;
    return undefined;
  }
}

export class EngineFilesystemError extends ReplayError {
  constructor(engine: string, hostDir: string) {
    super(
      "docker-unavailable",
      `the Docker engine at ${engine} does not see this machine's files (a folder replay made in ${hostDir} is not there for it); replay bind-mounts each job's runner files and workspace from here, so it runs jobs only on an engine that shares this machine's filesystem`,
      { hint: "point replay at the engine on this machine (unset DOCKER_HOST / DOCKER_CONTEXT, or --context default); remote engines are not supported yet" },
    );
  }
}

/** Refuses the replay, before anything starts, when the engine cannot see a fresh folder of ours. */
export async function refuseEngineWithoutOurFiles(docker: Docker, engine: string): Promise<void> {
  const probe = await mkdtemp(path.join(os.tmpdir(), "replay-probe-"));
  try {
    if ((await engineSeesFolder(docker, probe)) === false) throw new EngineFilesystemError(engine, os.tmpdir());
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
}
