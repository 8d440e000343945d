import { randomUUID } from "node:crypto";
import { chmod, rm } from "node:fs/promises";
import http from "node:http";
import type net from "node:net";
import type { Duplex } from "node:stream";
import { route, splitPath } from "./api-route.js";
import type { ContainerOp, Route } from "./api-route.js";
import { engineMessage } from "./engine-client.js";
import { decodeEngineBody } from "./engine-json.js";
import { BUILD_QUERY, COMMIT_QUERY, canonicalQuery, checkBuildQuery, checkImageCreateQuery } from "./engine-query.js";
import {
  CONTAINER_CREATE_FIELDS,
  CONTAINER_UPDATE_FIELDS,
  EXEC_CREATE_FIELDS,
  NETWORK_CONNECT_FIELDS,
  NETWORK_CREATE_FIELDS,
  NETWORK_DISCONNECT_FIELDS,
  VOLUME_CREATE_FIELDS,
} from "./engine-schema.js";
import { forward, pipeRaw, readBody, readJson, refuseRaw, send } from "./http-forwarding.js";
import { PortForwarders } from "./port-forwarder.js";
import { forwardPorts, showPortsInInspect, showPortsInList } from "./published-ports.js";
import type { JobSide } from "./published-ports.js";
import type { JobDockerApiHandle, JobDockerApiRequest, RunDockerApiShare } from "./job-api-contract.js";
import {
  BUILT_BY_JOB_LABEL,
  BUILT_BY_RUN_LABEL,
  Refusal,
  SCOPE_LABEL,
  checkEndpointLinks,
  isObject,
  planContainerCreate,
  planNetworkCreate,
  planVolumeCreate,
  privilegeProblems,
  refusePrivileged,
  withLabelFilter,
} from "./scope-policy.js";
import type { Json, Lookups, Ownership, ScopeSettings } from "./scope-policy.js";

// One job's Docker API: an HTTP server on a Unix socket in the job's runner-files folder
// (so the job container sees it through the bind replay already makes), forwarding to the
// engine what the rules allow (scope-policy.ts). Streams (build output, logs -f, events,
// wait) are piped as they come; attach and exec start take the connection over, and are
// piped as raw sockets once allowed.

const VERB: Record<ContainerOp, string> = {
  inspect: "inspect it",
  read: "read it",
  start: "start it",
  restart: "restart it",
  stop: "stop or kill it",
  remove: "remove it",
  attach: "attach to it",
  exec: "exec into it",
  "archive-put": "copy files into it",
  update: "change it",
  change: "change it",
};

export class JobDockerApi implements JobDockerApiHandle {
  private readonly server: http.Server;
  private readonly sockets = new Set<Duplex>();
  private readonly owned = { containers: new Set<string>(), networks: new Set<string>(), volumes: new Set<string>(), execs: new Set<string>() };
  private readonly scope = randomUUID();
  private readonly settings: ScopeSettings;
  private readonly forwarders: PortForwarders;
  private readonly portsSide: JobSide;
  private closed = false;
  /** Whether a step called this API: a job whose steps never did created nothing to remove. */
  private used = false;

  constructor(
    private readonly run: RunDockerApiShare,
    private readonly request: JobDockerApiRequest,
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
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head));
    this.server.on("connection", (s: net.Socket) => this.track(s));
  }

  private get engine(): RunDockerApiShare["engine"] {
    return this.run.engine;
  }

  private track(s: Duplex): void {
    this.sockets.add(s);
    s.on("close", () => this.sockets.delete(s));
  }

  async listen(): Promise<void> {
    await rm(this.request.socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.request.socketPath, () => resolve());
    });
    // The job's steps run as the runner user (uid 1001); the folder around it is the run's.
    await chmod(this.request.socketPath, 0o666);
  }

  async close(o: { removeCreated: boolean }): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    // Most jobs: nothing to look for (three queries of the engine, ~30 ms before the job's
    // container can stop, saved).
    if (o.removeCreated && this.used) await this.removeCreated();
  }

  /** Everything the job created, found by its scope label (and what it is known to own). */
  private async removeCreated(): Promise<void> {
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

  // --- ownership ---

  private async containerOwner(ref: string): Promise<{ owner: Ownership; id?: string }> {
    const info = await this.engine.json<{ Id: string }>("GET", `/containers/${encodeURIComponent(ref)}/json`);
    if (!info) return { owner: "missing" };
    return { owner: this.owned.containers.has(info.Id) ? "owned" : "foreign", id: info.Id };
  }

  private async networkOwner(ref: string): Promise<{ owner: Ownership; id?: string }> {
    const info = await this.engine.json<{ Id: string }>("GET", `/networks/${encodeURIComponent(ref)}`);
    if (!info) return { owner: "missing" };
    return { owner: this.owned.networks.has(info.Id) ? "owned" : "foreign", id: info.Id };
  }

  private async volumeOwner(name: string): Promise<Ownership> {
    const info = await this.engine.json<{ Name: string }>("GET", `/volumes/${encodeURIComponent(name)}`);
    if (!info) return "missing";
    return this.owned.volumes.has(info.Name) ? "owned" : "foreign";
  }

  private readonly lookups: Lookups = {
    container: async (ref) => (await this.containerOwner(ref)).owner,
    network: async (ref) => (await this.networkOwner(ref)).owner,
    volume: (name) => this.volumeOwner(name),
    imageVolumes: async (image) => {
      const info = await this.engine.json<{ Config?: { Volumes?: Record<string, unknown> | null } }>("GET", `/images/${image}/json`);
      return Object.keys(info?.Config?.Volumes ?? {});
    },
  };

  // --- requests ---

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.used = true;
    this.run.used = true;
    try {
      const { path, query } = splitPath(req.url ?? "/");
      // The engine reads a form body as query options (Go's ParseForm): what would bypass the query's checks.
      if (/^application\/x-www-form-urlencoded\b/i.test(String(req.headers["content-type"] ?? "").trim())) {
        throw new Refusal(400, "not served", "form-encoded bodies are not served by replay's scoped Docker API: send options in the query");
      }
      await this.dispatch(route(req.method ?? "GET", path), req, res, query);
    } catch (e) {
      if (e instanceof Refusal) send(res, e.status, e.message);
      else send(res, 500, `replay's scoped Docker API failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The request's URL with its query changed. */
  private withQuery(req: http.IncomingMessage, change: (q: URLSearchParams) => void): string {
    const url = new URL(req.url ?? "/", "http://docker");
    change(url.searchParams);
    return `${url.pathname}${url.search}`;
  }

  private scopedList(req: http.IncomingMessage, label = `${SCOPE_LABEL}=${this.scope}`): string {
    return this.withQuery(req, (q) => q.set("filters", withLabelFilter(q.get("filters"), label)));
  }

  private async dispatch(r: Route, req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams): Promise<void> {
    switch (r.kind) {
      case "pass":
        return forward(this.engine, req, res);
      case "refuse":
        throw new Refusal(r.status, "not served", r.message);
      case "events":
      case "containers-prune":
      case "networks-prune":
      case "volumes-prune":
        return forward(this.engine, req, res, { url: this.scopedList(req) });
      case "images-create":
        checkImageCreateQuery(query, this.settings);
        return forward(this.engine, req, res);
      case "images-prune":
        return forward(this.engine, req, res, { url: this.scopedList(req, `${BUILT_BY_RUN_LABEL}=${this.run.runId}`) });
      case "containers-list":
        return forward(this.engine, req, res, { url: this.scopedList(req), answer: (_s, list) => (Array.isArray(list) ? list.map(showPortsInList) : list) });
      case "networks-list":
      case "volumes-list":
        return forward(this.engine, req, res, { url: this.scopedList(req) });
      case "system-df":
        return forward(this.engine, req, res, { answer: (_s, df) => this.scopedDf(df) });
      case "containers-create":
        return this.createContainer(req, res);
      case "container":
        return this.container(r.ref, r.op, req, res);
      case "exec":
        if (!this.owned.execs.has(r.id)) throw new Refusal(r.op === "inspect" ? 404 : 403, "own resources only", `exec ${r.id} was not created by this job`);
        return forward(this.engine, req, res);
      case "build":
        return this.build(req, res, query);
      case "commit": {
        const q = canonicalQuery(query, COMMIT_QUERY, "commit");
        const ref = q.get("container") ?? "";
        if ((await this.containerOwner(ref)).owner !== "owned") throw new Refusal(403, "own resources only", `container ${ref} was not created by this job, so it may not commit it`);
        const repo = q.get("repo");
        if (repo) await this.run.takeTag(`${repo}:${q.get("tag") || "latest"}`);
        q.append("changes", `LABEL ${BUILT_BY_RUN_LABEL}=${this.run.runId} ${BUILT_BY_JOB_LABEL}=${this.request.jobKey}`);
        // No body (the CLI's usual) keeps the container's own config: the engine reads none then.
        const raw = await readBody(req);
        const empty = ["", "null"].includes(raw.toString("utf8").trim());
        const body = empty ? Buffer.alloc(0) : Buffer.from(JSON.stringify(decodeEngineBody(raw, CONTAINER_CREATE_FIELDS)));
        return forward(this.engine, req, res, { url: `${new URL(req.url ?? "/", "http://docker").pathname}?${q.toString()}`, body });
      }
      case "image":
        return this.image(r.ref, r.op, req, res, query);
      case "networks-create": {
        const body = planNetworkCreate(await readJson(req, NETWORK_CREATE_FIELDS), this.settings);
        return forward(this.engine, req, res, {
          body: Buffer.from(JSON.stringify(body)),
          answer: async (status, created) => {
            const id = isObject(created) && typeof created["Id"] === "string" ? created["Id"] : undefined;
            if (status < 300 && id) {
              this.owned.networks.add(id);
              // The job container joins every network the job makes, as the runner VM
              // reaches every container it starts: addresses and published ports work.
              await this.engine.call("POST", `/networks/${id}/connect`, { Container: this.request.jobContainerId });
            }
            return created;
          },
        });
      }
      case "network":
        return this.network(r.ref, r.op, req, res);
      case "volumes-create": {
        const body = planVolumeCreate(await readJson(req, VOLUME_CREATE_FIELDS), this.settings);
        return forward(this.engine, req, res, {
          body: Buffer.from(JSON.stringify(body)),
          answer: (status, created) => {
            if (status < 300 && isObject(created) && typeof created["Name"] === "string") this.owned.volumes.add(created["Name"]);
            return created;
          },
        });
      }
      case "volume": {
        const owner = await this.volumeOwner(r.name);
        if (owner === "foreign") {
          if (r.op === "inspect") throw new Refusal(404, "own resources only", `get ${r.name}: no such volume (a job sees only the volumes it created)`);
          throw new Refusal(403, "own resources only", `volume ${r.name} was not created by this job, so it may not remove it`);
        }
        if (r.op === "remove") this.owned.volumes.delete(r.name);
        return forward(this.engine, req, res);
      }
      default: {
        const never: never = r;
        throw new Error(`unhandled route ${JSON.stringify(never)}`);
      }
    }
  }

  private async createContainer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const plan = await planContainerCreate(await readJson(req, CONTAINER_CREATE_FIELDS), this.settings, this.lookups);
    for (const name of plan.createVolumes) {
      const answer = await this.engine.call("POST", "/volumes/create", planVolumeCreate({ Name: name }, this.settings));
      if (answer.status >= 300) throw new Refusal(answer.status, "not served", engineMessage(answer));
      this.owned.volumes.add(name);
    }
    return forward(this.engine, req, res, {
      body: Buffer.from(JSON.stringify(plan.body)),
      answer: (status, created) => {
        if (status < 300 && isObject(created) && typeof created["Id"] === "string") this.owned.containers.add(created["Id"]);
        return created;
      },
    });
  }

  private async container(ref: string, op: ContainerOp, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { owner, id } = await this.containerOwner(ref);
    // Not there at all: the engine's own answer.
    if (owner === "missing" || !id) return forward(this.engine, req, res);
    if (owner === "foreign") {
      if (op === "inspect" || op === "read") throw new Refusal(404, "own resources only", `No such container: ${ref} (a job sees and touches only the containers it created)`);
      throw new Refusal(403, "own resources only", `container ${ref} was not created by this job, so it may not ${VERB[op]}`);
    }
    switch (op) {
      case "inspect":
        return forward(this.engine, req, res, { answer: (_s, info) => showPortsInInspect(info) });
      case "exec": {
        const body = await readJson(req, EXEC_CREATE_FIELDS);
        if (body["Privileged"] === true) refusePrivileged(["docker exec --privileged"], this.settings.allowPrivileged);
        return forward(this.engine, req, res, {
          body: Buffer.from(JSON.stringify(body)),
          answer: (status, created) => {
            if (status < 300 && isObject(created) && typeof created["Id"] === "string") this.owned.execs.add(created["Id"]);
            return created;
          },
        });
      }
      case "update": {
        const body = await readJson(req, CONTAINER_UPDATE_FIELDS);
        refusePrivileged(privilegeProblems(body), this.settings.allowPrivileged);
        return forward(this.engine, req, res, { body: Buffer.from(JSON.stringify(body)) });
      }
      case "start":
      case "restart": {
        // Before API 1.24 the engine applied a HostConfig sent to start, past create's checks.
        const raw = (await readBody(req)).toString("utf8").trim();
        if (raw !== "" && raw !== "{}" && raw !== "null") throw new Refusal(403, "not served", "a HostConfig sent to start (API before 1.24) is not served: give it to create");
        return forward(this.engine, req, res, {
          body: Buffer.alloc(0),
          answer: async (status, answer) => {
            if (status < 300) await forwardPorts(this.engine, this.forwarders, this.portsSide, id);
            return answer;
          },
        });
      }
      case "stop":
      case "remove":
        await this.forwarders.stop(id);
        if (op === "remove") {
          return forward(this.engine, req, res, {
            answer: (status, answer) => {
              if (status < 300) this.owned.containers.delete(id);
              return answer;
            },
          });
        }
        return forward(this.engine, req, res);
      case "read":
      case "attach":
      case "archive-put":
      case "change":
        return forward(this.engine, req, res);
    }
  }

  private async build(req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams): Promise<void> {
    const q = canonicalQuery(query, BUILD_QUERY, "build");
    const joins = checkBuildQuery(q, this.settings);
    if (joins.kind === "network") await this.refuseUnlessOwned(this.lookups.network(joins.name), `network ${joins.name} was not created by this job, so a build may not join it`);
    if (joins.kind === "container") await this.refuseUnlessOwned(this.lookups.container(joins.ref), `container ${joins.ref} was not created by this job, so a build may not join its network`);
    for (const tag of q.getAll("t")) await this.run.takeTag(tag);
    let labels: Json = {};
    try {
      const parsed: unknown = JSON.parse(q.get("labels") ?? "{}");
      if (isObject(parsed)) labels = parsed;
    } catch {
      labels = {};
    }
    q.set("labels", JSON.stringify({ ...labels, [BUILT_BY_RUN_LABEL]: this.run.runId, [BUILT_BY_JOB_LABEL]: this.request.jobKey }));
    return forward(this.engine, req, res, { url: `${new URL(req.url ?? "/", "http://docker").pathname}?${q.toString()}` });
  }

  private async refuseUnlessOwned(owner: Promise<Ownership>, detail: string): Promise<void> {
    if ((await owner) !== "owned") throw new Refusal(403, "own resources only", detail);
  }

  private async image(ref: string, op: "read" | "tag" | "remove", req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams): Promise<void> {
    if (op === "tag") {
      const repo = query.get("repo") ?? "";
      if (repo) await this.run.takeTag(`${repo}:${query.get("tag") || "latest"}`);
    } else if (op === "remove" && !this.run.tookTag(ref)) {
      const info = await this.engine.json<{ Config?: { Labels?: Record<string, string> | null } }>("GET", `/images/${ref}/json`);
      if (info && info.Config?.Labels?.[BUILT_BY_RUN_LABEL] !== this.run.runId) {
        throw new Refusal(403, "own resources only", `image ${ref} was not built or tagged by this run, so the job may not remove it`);
      }
    }
    return forward(this.engine, req, res);
  }

  private async network(ref: string, op: "inspect" | "remove" | "connect" | "disconnect", req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const predefined = ref === "bridge" || ref === "none";
    const { owner, id } = predefined ? { owner: "foreign" as const, id: ref } : await this.networkOwner(ref);
    if (owner === "missing" || !id) return forward(this.engine, req, res);
    if (op === "connect" || op === "disconnect") {
      if (owner !== "owned" && !predefined) throw new Refusal(403, "own resources only", `network ${ref} was not created by this job, so it may not ${op} containers`);
      const body = await readJson(req, op === "connect" ? NETWORK_CONNECT_FIELDS : NETWORK_DISCONNECT_FIELDS);
      const container = typeof body["Container"] === "string" ? body["Container"] : "";
      if ((await this.containerOwner(container)).owner !== "owned") {
        throw new Refusal(403, "own resources only", `container ${container} was not created by this job, so it may not ${op} it`);
      }
      await checkEndpointLinks(body["EndpointConfig"], this.lookups);
      return forward(this.engine, req, res, { body: Buffer.from(JSON.stringify(body)) });
    }
    if (owner !== "owned") {
      if (op === "inspect") throw new Refusal(404, "own resources only", `network ${ref} not found (a job sees only the networks it created)`);
      throw new Refusal(403, "own resources only", `network ${ref} was not created by this job, so it may not remove it`);
    }
    if (op === "remove") {
      // The job container joined it (see networks-create): leave first, or the engine refuses.
      await this.engine.call("POST", `/networks/${id}/disconnect`, { Container: this.request.jobContainerId, Force: true });
      return forward(this.engine, req, res, {
        answer: (status, answer) => {
          if (status < 300) this.owned.networks.delete(id);
          return answer;
        },
      });
    }
    const jobId = this.request.jobContainerId;
    return forward(this.engine, req, res, {
      answer: (_s, info) => {
        // The job container is replay's, not something the job started: keep it out of sight.
        if (isObject(info) && isObject(info["Containers"])) delete info["Containers"][jobId];
        return info;
      },
    });
  }

  private scopedDf(df: unknown): unknown {
    if (!isObject(df)) return df;
    const ours = (x: unknown): boolean => isObject(x) && isObject(x["Labels"]) && x["Labels"][SCOPE_LABEL] === this.scope;
    if (Array.isArray(df["Containers"])) df["Containers"] = df["Containers"].filter(ours);
    if (Array.isArray(df["Volumes"])) df["Volumes"] = df["Volumes"].filter(ours);
    return df;
  }

  // --- connections taken over: attach, exec start ---

  private async upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    this.used = true;
    this.run.used = true;
    this.track(socket);
    try {
      const { path } = splitPath(req.url ?? "/");
      const r = route(req.method ?? "GET", path);
      if (r.kind === "refuse") throw new Refusal(r.status, "not served", r.message);
      if (r.kind === "container" && r.op === "attach") {
        const { owner } = await this.containerOwner(r.ref);
        if (owner === "foreign") throw new Refusal(403, "own resources only", `container ${r.ref} was not created by this job, so it may not attach to it`);
      } else if (r.kind === "exec" && r.op === "start") {
        if (!this.owned.execs.has(r.id)) throw new Refusal(403, "own resources only", `exec ${r.id} was not created by this job`);
      } else {
        throw new Refusal(403, "not served", `${req.method ?? ""} ${path} cannot take the connection over`);
      }
      pipeRaw(this.engine, req, socket, head, (x) => this.track(x));
    } catch (e) {
      refuseRaw(socket, e instanceof Refusal ? e.status : 500, e instanceof Error ? e.message : String(e));
    }
  }

}
