import type Docker from "dockerode";
import { RUN_LABEL } from "./labels.js";
import type { ReapResult } from "./reaper.js";

/**
 * Removes every container, network and volume of one run (its own cleanup, after Ctrl-C,
 * and `replay gc --run`), but the containers in `stopping`: stopped already, the engine
 * is removing them. Answers how many of each went.
 */
export async function removeRun(docker: Docker, runId: string, stopping: readonly string[] = []): Promise<ReapResult> {
  const filters = { label: [`${RUN_LABEL}=${runId}`] };
  const removed: ReapResult = { containers: 0, networks: 0, volumes: 0 };
  const quietly = async (kind: keyof ReapResult, f: () => Promise<unknown>): Promise<void> => {
    try {
      await f();
      removed[kind]++;
    } catch {
      // already gone
    }
  };
  // Asked at once (every replay's end waits for this); removed in order: a network or a
  // volume goes only once no container of the run uses it.
  const [containers, networks, volumes] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters }), docker.listVolumes({ filters })]);
  const left = containers.filter((c) => !stopping.includes(c.Id));
  await Promise.all(left.map((c) => quietly("containers", () => docker.getContainer(c.Id).remove({ force: true, v: true }))));
  for (const net of networks) await quietly("networks", () => docker.getNetwork(net.Id).remove());
  for (const v of volumes.Volumes ?? []) await quietly("volumes", () => docker.getVolume(v.Name).remove({ force: true }));
  return removed;
}
