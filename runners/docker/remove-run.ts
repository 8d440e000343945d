import type Docker from "dockerode";
import { RUN_LABEL } from "./labels.js";

/**
 * Removes every container, network and volume of one run (its own cleanup, and after
 * Ctrl-C), but the containers in `stopping`: stopped already, the engine is removing them.
 */
export async function removeRun(docker: Docker, runId: string, stopping: readonly string[] = []): Promise<number> {
  const filters = { label: [`${RUN_LABEL}=${runId}`] };
  let n = 0;
  const quietly = async (f: () => Promise<unknown>): Promise<void> => {
    try {
      await f();
      n++;
    } catch {
      // already gone
    }
  };
  const left = (await docker.listContainers({ all: true, filters })).filter((c) => !stopping.includes(c.Id));
  await Promise.all(left.map((c) => quietly(() => docker.getContainer(c.Id).remove({ force: true, v: true }))));
  for (const net of await docker.listNetworks({ filters })) await quietly(() => docker.getNetwork(net.Id).remove());
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await quietly(() => docker.getVolume(v.Name).remove({ force: true }));
  return n;
}
