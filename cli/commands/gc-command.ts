// `replay gc`: what crashed or killed replays left, removed from this machine's engine and
// from every engine .replay.yml's engines: names (a pool's jobs leave theirs on their own).
import { ReplayError } from "../../common/index.js";
import { connectDocker, connectEngine, reap, removeRun } from "../../runners/docker/index.js";
import type { DockerConnection } from "../../runners/docker/index.js";
import { readReplayConfig } from "../replay-config.js";

type Removed = Awaited<ReturnType<typeof removeRun>>;

async function gcOn(docker: DockerConnection["docker"], runId: string | undefined): Promise<Removed> {
  if (runId === undefined) return reap(docker, { all: true });
  const r = await removeRun(docker, runId);
  if (r.containers === 0) return r;
  // A replay that quit at once (its second Ctrl-C hands its run to this) may have left a
  // create in flight: looked at again once the engine has answered it.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const again = await removeRun(docker, runId);
  return { containers: r.containers + again.containers, networks: r.networks + again.networks, volumes: r.volumes + again.volumes };
}

export async function gcCommand(dir: string, runId: string | undefined, flagEngines: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const config = await readReplayConfig(dir).catch((e: unknown) => {
    if (!(e instanceof ReplayError)) throw e;
    err(`warning: ${e.message}; only this machine's engine is cleaned\n`);
    return {};
  });
  const fromConfig = ("engines" in config ? (config.engines ?? []) : []).map((e) => e.engine);
  const named = [...new Set([...flagEngines, ...fromConfig])];
  const { docker } = await connectDocker();
  const total = await gcOn(docker, runId);
  for (const name of named) {
    try {
      const engine = await connectEngine(name);
      const r = await gcOn(engine.docker, runId);
      out(`${name}: removed ${r.containers} container(s), ${r.networks} network(s), ${r.volumes} volume(s)\n`);
      total.containers += r.containers;
      total.networks += r.networks;
      total.volumes += r.volumes;
    } catch (e) {
      err(`warning: engine ${name} did not answer, so nothing was removed there: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}\n`);
    }
  }
  out(`removed ${total.containers} container(s), ${total.networks} network(s), ${total.volumes} volume(s)\n`);
  return 0;
}
