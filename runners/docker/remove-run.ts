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
  // Asked at once (every replay's end waits for this); removed in order: a network or a
  // volume goes only once no container of the run uses it.
  const [containers, networks, volumes] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters }), docker.listVolumes({ filters })]);
  const left = containers.filter((c) => !stopping.includes(c.Id));
  await Promise.all(left.map((c) => quietly(() => docker.getContainer(c.Id).remove({ force: true, v: true }))));
  for (const net of networks) await quietly(() => docker.getNetwork(net.Id).remove());
  for (const v of volumes.Volumes ?? []) await quietly(() => docker.getVolume(v.Name).remove({ force: true }));
  return n;
}
