import os from "node:os";
import type Docker from "dockerode";
import { HOST_LABEL, PID_LABEL, RUN_LABEL, STARTED_LABEL } from "./labels.js";

// Removes what replay left behind: a run killed with SIGKILL, a crashed process, a
// machine that went to sleep. Only resources labelled dev.replay.run are considered,
// and never those of a replay process still alive on this host.

/** Leftovers from another host (a shared remote engine) are only reaped after this. */
export const FOREIGN_RUN_STALE_MS = 24 * 60 * 60 * 1000;

export interface ReapOptions {
  /** `replay gc`: also what other hosts left, however recent. */
  all: boolean;
}

export interface ReapResult {
  containers: number;
  networks: number;
  volumes: number;
}

export interface ReapPolicy {
  all: boolean;
  hostname: string;
  now: Date;
  isAlive: (pid: number) => boolean;
}

export function isReapable(labels: Readonly<Record<string, string>> | null | undefined, policy: ReapPolicy): boolean {
  if (labels?.[RUN_LABEL] === undefined) return false;
  const pid = parsePid(labels[PID_LABEL]);
  // On this host the process table answers for certain; elsewhere only age can tell.
  if (labels[HOST_LABEL] === policy.hostname && pid !== undefined) return !policy.isAlive(pid);
  if (policy.all) return true;
  const started = Date.parse(labels[STARTED_LABEL] ?? "");
  return Number.isFinite(started) && policy.now.getTime() - started > FOREIGN_RUN_STALE_MS;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function reap(
  docker: Docker,
  options: ReapOptions,
  environment: { now?: Date; hostname?: string; isAlive?: (pid: number) => boolean } = {},
): Promise<ReapResult> {
  const policy: ReapPolicy = {
    all: options.all,
    now: environment.now ?? new Date(),
    hostname: environment.hostname ?? os.hostname(),
    isAlive: environment.isAlive ?? isProcessAlive,
  };
  const filters = { label: [RUN_LABEL] };
  const result: ReapResult = { containers: 0, networks: 0, volumes: 0 };

  // Containers first: a network or volume cannot go while a container still uses it.
  for (const c of await docker.listContainers({ all: true, filters })) {
    if (!isReapable(c.Labels, policy)) continue;
    if (await removed(() => docker.getContainer(c.Id).remove({ force: true, v: true }))) result.containers++;
  }
  for (const n of await docker.listNetworks({ filters })) {
    if (!isReapable(n.Labels, policy)) continue;
    if (await removed(() => docker.getNetwork(n.Id).remove())) result.networks++;
  }
  const { Volumes: volumes } = await docker.listVolumes({ filters });
  for (const v of volumes ?? []) {
    if (!isReapable(v.Labels, policy)) continue;
    if (await removed(() => docker.getVolume(v.Name).remove({ force: true }))) result.volumes++;
  }
  return result;
}

function parsePid(value: string | undefined): number | undefined {
  if (value === undefined || !/^[1-9]\d*$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Gone already (404), being removed or still in use by something not ours (409, and 403
 * for a network with endpoints on older engines): not this reaper's business.
 */
async function removed(remove: () => Promise<unknown>): Promise<boolean> {
  try {
    await remove();
    return true;
  } catch (error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    if (status === 403 || status === 404 || status === 409) return false;
    throw error;
  }
}
