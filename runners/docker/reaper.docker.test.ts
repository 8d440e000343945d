import { randomUUID } from "node:crypto";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDocker } from "./connect-docker.js";
import { runLabels } from "./labels.js";
import { reap } from "./reaper.js";

const BASE_IMAGE = process.env["REPLAY_BASE_IMAGE"] ?? "replay-base:bookworm";
const DEAD_PID = "999999";

describe("reap against the real engine", () => {
  let docker: Docker;
  const suffix = randomUUID().slice(0, 8);
  const ids = { dead: `reaper-dead-${suffix}`, live: `reaper-live-${suffix}`, foreign: `reaper-foreign-${suffix}` };
  const created: { containers: string[]; networks: string[]; volumes: string[] } = { containers: [], networks: [], volumes: [] };

  const labelsFor = (runId: string, change: Record<string, string> = {}): Record<string, string> => ({ ...runLabels(runId), ...change });

  async function createAll(runId: string, labels: Record<string, string>): Promise<{ container: string; network: string; volume: string }> {
    const container = await docker.createContainer({ Image: BASE_IMAGE, Cmd: ["true"], Labels: labels, name: runId });
    const network = await docker.createNetwork({ Name: runId, Labels: labels });
    const volume = await docker.createVolume({ Name: runId, Labels: labels });
    created.containers.push(container.id);
    created.networks.push(network.id);
    created.volumes.push(volume.name);
    return { container: container.id, network: network.id, volume: volume.name };
  }

  const exists = async (inspect: () => Promise<unknown>): Promise<boolean> =>
    inspect().then(
      () => true,
      (error: { statusCode?: number }) => {
        if (error.statusCode === 404) return false;
        throw error;
      },
    );

  async function present(r: { container: string; network: string; volume: string }): Promise<boolean[]> {
    return [
      await exists(() => docker.getContainer(r.container).inspect()),
      await exists(() => docker.getNetwork(r.network).inspect()),
      await exists(() => docker.getVolume(r.volume).inspect()),
    ];
  }

  beforeAll(async () => {
    ({ docker } = await connectDocker());
    // The test relies on 999999 naming no process on this machine.
    expect(() => process.kill(Number(DEAD_PID), 0)).toThrow();
  });

  afterAll(async () => {
    for (const id of created.containers) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
    for (const id of created.networks) await docker.getNetwork(id).remove().catch(() => undefined);
    for (const name of created.volumes) await docker.getVolume(name).remove().catch(() => undefined);
  });

  it("removes what a dead run left, keeps a live run's, and `all` takes a recent foreign run's too", async () => {
    const dead = await createAll(ids.dead, labelsFor(ids.dead, { "dev.replay.pid": DEAD_PID }));
    const live = await createAll(ids.live, labelsFor(ids.live));
    const foreign = await createAll(ids.foreign, labelsFor(ids.foreign, { "dev.replay.host": `elsewhere-${suffix}` }));

    const first = await reap(docker, { all: false });
    expect(await present(dead)).toEqual([false, false, false]);
    expect(await present(live)).toEqual([true, true, true]);
    expect(await present(foreign)).toEqual([true, true, true]);
    expect(first.containers).toBeGreaterThanOrEqual(1);
    expect(first.networks).toBeGreaterThanOrEqual(1);
    expect(first.volumes).toBeGreaterThanOrEqual(1);

    const gc = await reap(docker, { all: true });
    expect(await present(live)).toEqual([true, true, true]);
    expect(await present(foreign)).toEqual([false, false, false]);
    expect(gc.containers).toBeGreaterThanOrEqual(1);
  });

  it("removes a running container of a dead run, with the network it is attached to", async () => {
    const runId = `reaper-running-${suffix}`;
    const labels = labelsFor(runId, { "dev.replay.pid": DEAD_PID });
    const network = await docker.createNetwork({ Name: runId, Labels: labels });
    created.networks.push(network.id);
    const container = await docker.createContainer({
      Image: BASE_IMAGE,
      Cmd: ["sleep", "600"],
      Labels: labels,
      HostConfig: { NetworkMode: runId },
    });
    created.containers.push(container.id);
    await container.start();

    await reap(docker, { all: false });
    expect(await exists(() => container.inspect())).toBe(false);
    expect(await exists(() => network.inspect())).toBe(false);
  });
});
