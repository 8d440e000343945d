import type { EventInput } from "../events.js";
import type { RunStores } from "./run-stores.js";
import { RuntimeServer } from "./runtime-server.js";

/**
 * The run's cache and artifact services, for the node and container actions of its jobs
 * (the built-ins use the stores directly). They listen on the host's address on Docker's
 * default bridge, not on 0.0.0.0: only containers reach them there, never the network
 * around the machine, and the per-run token keeps out the containers of other replays.
 * Without that address, or when they cannot start, the run goes on without them and says so.
 */
export async function startRunServices(host: string | undefined, stores: RunStores, emit: (e: EventInput) => void): Promise<RuntimeServer | undefined> {
  if (host === undefined) {
    emit({ type: "notice", level: "info", message: "the cache and artifact services are not started (the Docker engine has no default bridge to reach the host through); replay's built-in actions use the stores directly" });
    return undefined;
  }
  try {
    return await RuntimeServer.start({ host, caches: stores.caches, repository: stores.repository, scopes: stores.scopes, artifacts: stores.artifacts });
  } catch (e) {
    emit({ type: "notice", level: "warning", message: `the cache and artifact services did not start on ${host}: ${e instanceof Error ? e.message : String(e)}; actions other than replay's built-ins run without them` });
    return undefined;
  }
}
