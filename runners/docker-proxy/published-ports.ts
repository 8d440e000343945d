import type { EngineClient } from "./engine-client.js";
import type { PortForwarders } from "./port-forwarder.js";
import { isObject } from "./scope-policy.js";
import { portsFromLabels } from "./container-policy.js";
import type { PortMapping } from "./scope-policy.js";

// The `-p` mappings of a job's containers: forwarded into the job's namespace when one starts
// (replay publishes nothing on this machine), and shown as published to the job that asked.

/** What the forwarding needs to know of the job. */
export interface JobSide {
  jobContainerId: string;
  ownsNetwork(id: string): boolean;
  log?: (line: string) => void;
}

/** Starts the forwarders of a started container's `-p` mappings in the job's namespace. */
export async function forwardPorts(engine: EngineClient, forwarders: PortForwarders, job: JobSide, id: string): Promise<void> {
  type Net = { NetworkID?: string; IPAddress?: string };
  type Info = { Config?: { Labels?: Record<string, string> | null }; HostConfig?: { NetworkMode?: string }; NetworkSettings?: { Networks?: Record<string, Net> | null } };
  const info = await engine.json<Info>("GET", `/containers/${id}/json`);
  const mappings = portsFromLabels(info?.Config?.Labels);
  if (!info || !mappings.length) return;
  const jobId = job.jobContainerId;
  let target: string | undefined;
  let reach: PortMapping[] = mappings;
  const mode = info.HostConfig?.NetworkMode ?? "";
  if (mode.startsWith("container:")) {
    // In the job's own namespace the port is already on localhost; only a different
    // host port needs a forwarder.
    if (mode !== `container:${jobId}`) {
      job.log?.(`ports of container ${id.slice(0, 12)} are not forwarded: it shares another container's network`);
      return;
    }
    target = "127.0.0.1";
    reach = mappings.filter((m) => m.hostPort !== m.port.split("/")[0]);
  } else {
    const jobInfo = await engine.json<Info>("GET", `/containers/${jobId}/json`);
    const jobNets = new Set(Object.values(jobInfo?.NetworkSettings?.Networks ?? {}).map((n) => n.NetworkID));
    const nets = Object.entries(info.NetworkSettings?.Networks ?? {});
    const shared = nets.find(([, n]) => jobNets.has(n.NetworkID));
    if (shared) target = shared[1].IPAddress;
    else {
      const joinable = nets.find(([name, n]) => name === "bridge" || job.ownsNetwork(n.NetworkID ?? ""));
      if (joinable) {
        await engine.call("POST", `/networks/${joinable[1].NetworkID ?? joinable[0]}/connect`, { Container: jobId });
        target = joinable[1].IPAddress;
      }
    }
  }
  if (!target) {
    job.log?.(`ports of container ${id.slice(0, 12)} are not forwarded: the job container shares no network with it`);
    return;
  }
  if (!reach.length) return;
  for (const note of await forwarders.start(id, target, reach)) job.log?.(note);
}

/** Inspect shows the `-p` mappings as published, as the job asked (replay forwards them). */
export function showPortsInInspect(info: unknown): unknown {
  if (!isObject(info) || !isObject(info["Config"])) return info;
  const mappings = portsFromLabels(info["Config"]["Labels"]);
  if (!mappings.length) return info;
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const m of mappings) (bindings[m.port] ??= []).push({ HostIp: m.hostIp || "0.0.0.0", HostPort: m.hostPort });
  if (isObject(info["HostConfig"])) info["HostConfig"]["PortBindings"] = bindings;
  if (isObject(info["NetworkSettings"])) info["NetworkSettings"]["Ports"] = { ...(isObject(info["NetworkSettings"]["Ports"]) ? info["NetworkSettings"]["Ports"] : {}), ...bindings };
  return info;
}

export function showPortsInList(c: unknown): unknown {
  if (!isObject(c)) return c;
  const mappings = portsFromLabels(c["Labels"]);
  if (!mappings.length) return c;
  c["Ports"] = mappings.map((m) => ({ IP: m.hostIp || "0.0.0.0", PrivatePort: Number(m.port.split("/")[0]), PublicPort: Number(m.hostPort), Type: m.port.split("/")[1] ?? "tcp" }));
  return c;
}
