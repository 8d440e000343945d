import { randomUUID } from "node:crypto";
import type http from "node:http";
import { PortForwarders } from "./port-forwarder.js";
import type { JobSide } from "./published-ports.js";
import type { JobDockerApiRequest, RunDockerApiShare } from "./job-api-contract.js";
import { Refusal, SCOPE_LABEL, isObject, withLabelFilter } from "./scope-policy.js";
import type { Lookups, Ownership, ScopeSettings } from "./scope-policy.js";

// What every resource's handler of a job's Docker API shares: the engine, the job's scope
// label, what the job is known to own, and the questions asked of the engine about it.

export class JobScope {
  readonly owned = { containers: new Set<string>(), networks: new Set<string>(), volumes: new Set<string>(), execs: new Set<string>() };
  readonly scope = randomUUID();
  readonly settings: ScopeSettings;
  readonly forwarders: PortForwarders;
  readonly portsSide: JobSide;

  constructor(
    readonly run: RunDockerApiShare,
    readonly request: JobDockerApiRequest,
  ) {
    this.settings = {
      allowPrivileged: run.allowPrivileged,
      labels: { ...request.labels, [SCOPE_LABEL]: this.scope },
      jobContainerId: request.jobContainerId,
      socketPath: request.socketPath,
      ...(request.socketPathInJob === undefined ? {} : { socketPathInJob: request.socketPathInJob }),
    };
    this.forwarders = new PortForwarders(run.engine, request.jobContainerId);
    this.portsSide = { jobContainerId: request.jobContainerId, ownsNetwork: (id) => this.owned.networks.has(id), log: (line) => request.log?.(line) };
  }

  get engine(): RunDockerApiShare["engine"] {
    return this.run.engine;
  }

  async containerOwner(ref: string): Promise<{ owner: Ownership; id?: string }> {
    const info = await this.engine.json<{ Id: string }>("GET", `/containers/${encodeURIComponent(ref)}/json`);
    if (!info) return { owner: "missing" };
    return { owner: this.owned.containers.has(info.Id) ? "owned" : "foreign", id: info.Id };
  }

  async networkOwner(ref: string): Promise<{ owner: Ownership; id?: string }> {
    const info = await this.engine.json<{ Id: string }>("GET", `/networks/${encodeURIComponent(ref)}`);
    if (!info) return { owner: "missing" };
    return { owner: this.owned.networks.has(info.Id) ? "owned" : "foreign", id: info.Id };
  }

  async volumeOwner(name: string): Promise<Ownership> {
    const info = await this.engine.json<{ Name: string }>("GET", `/volumes/${encodeURIComponent(name)}`);
    if (!info) return "missing";
    return this.owned.volumes.has(info.Name) ? "owned" : "foreign";
  }

  readonly lookups: Lookups = {
    container: async (ref) => (await this.containerOwner(ref)).owner,
    network: async (ref) => (await this.networkOwner(ref)).owner,
    volume: (name) => this.volumeOwner(name),
    imageVolumes: async (image) => {
      const info = await this.engine.json<{ Config?: { Volumes?: Record<string, unknown> | null } }>("GET", `/images/${image}/json`);
      return Object.keys(info?.Config?.Volumes ?? {});
    },
  };

  async refuseUnlessOwned(owner: Promise<Ownership>, detail: string): Promise<void> {
    if ((await owner) !== "owned") throw new Refusal(403, "own resources only", detail);
  }

  /** The request's URL with a list call's filters narrowed to one more label (the job's scope by default). */
  scopedList(req: http.IncomingMessage, label = `${SCOPE_LABEL}=${this.scope}`): string {
    return withQuery(req, (q) => q.set("filters", withLabelFilter(q.get("filters"), label)));
  }

  /** Everything the job created, found by its scope label (and what it is known to own). */
  async removeCreated(): Promise<void> {
    const filters = (label: string): string => new URLSearchParams({ filters: JSON.stringify({ label: [label] }) }).toString();
    const mine = filters(`${SCOPE_LABEL}=${this.scope}`);
    const containers = (await this.engine.json<{ Id: string }[]>("GET", `/containers/json?all=1&${mine}`)) ?? [];
    const ids = new Set([...containers.map((c) => c.Id), ...this.owned.containers]);
    await Promise.all([...ids].map((id) => this.engine.call("DELETE", `/containers/${id}?force=1&v=1`).catch(() => undefined)));
    const networks = (await this.engine.json<{ Id: string }[]>("GET", `/networks?${mine}`)) ?? [];
    for (const id of new Set([...networks.map((n) => n.Id), ...this.owned.networks])) {
      await this.engine.call("POST", `/networks/${id}/disconnect`, { Container: this.request.jobContainerId, Force: true }).catch(() => undefined);
      await this.engine.call("DELETE", `/networks/${id}`).catch(() => undefined);
    }
    const volumes = (await this.engine.json<{ Volumes?: { Name: string }[] | null }>("GET", `/volumes?${mine}`))?.Volumes ?? [];
    for (const name of new Set([...volumes.map((v) => v.Name), ...this.owned.volumes])) {
      await this.engine.call("DELETE", `/volumes/${encodeURIComponent(name)}?force=1`).catch(() => undefined);
    }
  }
}

/** The request's URL with its query changed. */
export function withQuery(req: http.IncomingMessage, change: (q: URLSearchParams) => void): string {
  const url = new URL(req.url ?? "/", "http://docker");
  change(url.searchParams);
  return `${url.pathname}${url.search}`;
}

/** The request's path with a query replacing its own (a checked, canonical one). */
export function pathWithQuery(req: http.IncomingMessage, q: URLSearchParams): string {
  return `${new URL(req.url ?? "/", "http://docker").pathname}?${q.toString()}`;
}

/** Records the `Id` (or another key) of what a create call answered as the job's own. */
export function own(set: Set<string>, key = "Id"): (status: number, created: unknown) => unknown {
  return (status, created) => {
    if (status < 300 && isObject(created) && typeof created[key] === "string") set.add(created[key]);
    return created;
  };
}
