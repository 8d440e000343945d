import { WorkflowInvalidError } from "../common/index.js";
import type { Value, ValueMap } from "../workflows/index.js";
import { parseContainerOptions } from "./container-options.js";
import type { ContainerOptions } from "./container-options.js";
import type { ContainerRuntime, JobContainer, RegistryCredentials, ServiceContainer } from "./job-container.js";

// How a replayed job reaches its services: the job container and every service share one
// network namespace (each service is created with `--network container:<job>`), and each
// service id is a host entry for 127.0.0.1 in the job container. So a workflow written for
// GitHub's hosted runner reaches `localhost:<port>` and one written for a `container:` job
// reaches `<service id>:<port>`, both unchanged. A `ports:` mapping to a different host
// port gets a small forwarder inside that namespace. Nothing is published on the user's
// machine, so parallel jobs never fight over host ports. The cost: two services that
// listen on the same port cannot run in one job.

/** A `services.<id>` or `container:` definition after its expressions were evaluated. */
export interface ContainerDefinition {
  image: string;
  env: Record<string, string>;
  ports: string[];
  volumes: string[];
  options: ContainerOptions;
  credentials?: RegistryCredentials;
}

function str(v: Value | undefined): string {
  return v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** Reads a (string or mapping) container definition that expressions have been evaluated in. */
export function containerDefinition(v: Value, where: string): ContainerDefinition {
  if (typeof v === "string") {
    if (!v.trim()) throw new WorkflowInvalidError(`${where}: the image is empty`, { exitCode: 1 });
    return { image: v, env: {}, ports: [], volumes: [], options: parseContainerOptions(undefined) };
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new WorkflowInvalidError(`${where} must be an image or a mapping`, { exitCode: 1 });
  const m = v as ValueMap;
  const image = str(m["image"]);
  if (!image) throw new WorkflowInvalidError(`${where}: 'image' is empty`, { exitCode: 1 });
  const env = Object.fromEntries(Object.entries((m["env"] ?? {}) as ValueMap).map(([k, x]) => [k, str(x)]));
  const def: ContainerDefinition = {
    image,
    env,
    ports: Array.isArray(m["ports"]) ? m["ports"].map(str) : [],
    volumes: Array.isArray(m["volumes"]) ? m["volumes"].map(str) : [],
    options: parseContainerOptions(typeof m["options"] === "string" ? m["options"] : undefined),
  };
  const c = m["credentials"] as ValueMap | undefined;
  if (c && (c["username"] || c["password"])) def.credentials = { username: str(c["username"]), password: str(c["password"]) };
  return def;
}

/**
 * The services to start, each definition with its expressions evaluated. A service whose
 * image evaluates to '' is not started, as on GitHub (its way of making a service
 * conditional: `image: ${{ matrix.db == 'pg' && 'postgres:16' || '' }}`).
 */
export async function serviceDefinitions(services: Record<string, Value>, evaluate: (v: Value) => Promise<Value>): Promise<[string, ContainerDefinition][]> {
  const out: [string, ContainerDefinition][] = [];
  for (const [id, raw] of Object.entries(services)) {
    const v = await evaluate(raw);
    const image = typeof v === "string" ? v : v && typeof v === "object" && !Array.isArray(v) ? str((v as ValueMap)["image"]) : undefined;
    if (image === "") continue;
    out.push([id, containerDefinition(v, `service '${id}'`)]);
  }
  return out;
}

/** `ports:` entries as GitHub reads them: `6379`, `6379:6379`, `8080:80/tcp`, `127.0.0.1:8080:80`. */
export function parsePorts(ports: string[]): { containerPort: string; hostPort: string }[] {
  return ports.map((p) => {
    const [spec = ""] = p.split("/");
    const parts = spec.split(":");
    const containerPort = parts[parts.length - 1] ?? "";
    const hostPort = parts.length >= 2 ? (parts[parts.length - 2] ?? "") : "";
    if (!/^\d+$/.test(containerPort) || (hostPort !== "" && !/^\d+$/.test(hostPort))) {
      throw new WorkflowInvalidError(`ports entry '${p}' is not a port or a host:container mapping`, { exitCode: 1 });
    }
    // A port published on a random host port is reached on its own number here.
    return { containerPort, hostPort: hostPort || containerPort };
  });
}

export interface StartedService {
  id: string;
  container: ServiceContainer;
  ports: Record<string, string>;
}

/** Waits until every service with a health check is healthy; answers the ones that are not. */
export async function waitHealthy(
  services: StartedService[],
  o: { timeoutMs: number; signal: AbortSignal; pollMs?: number },
): Promise<{ id: string; status: string }[]> {
  const deadline = Date.now() + o.timeoutMs;
  const pending = new Map(services.map((s) => [s.id, s]));
  const failed: { id: string; status: string }[] = [];
  while (pending.size && !o.signal.aborted) {
    for (const [id, s] of [...pending]) {
      const status = await s.container.health();
      if (status === "healthy" || status === "none") pending.delete(id);
      else if (status === "unhealthy" || status === "exited") {
        failed.push({ id, status });
        pending.delete(id);
      }
    }
    if (!pending.size) break;
    if (Date.now() > deadline) {
      for (const id of pending.keys()) failed.push({ id, status: "not healthy in time" });
      break;
    }
    await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
  }
  return failed;
}

/** How long to wait for a health check: what its own settings allow, plus a margin. */
export function healthTimeoutMs(o: ContainerOptions): number {
  const h = o.healthcheck;
  const s = (ns: number | undefined, fallbackS: number): number => (ns === undefined ? fallbackS * 1000 : ns / 1e6);
  if (!h) return 60_000;
  const retries = h.retries ?? 3;
  return s(h.startPeriodNs, 0) + retries * (s(h.intervalNs, 30) + s(h.timeoutNs, 30)) + 10_000;
}

/** Node one-liner that forwards a port inside the shared namespace (runner images have node). */
export function forwarderScript(fromPort: string, toPort: string): string {
  return `require("net").createServer((c)=>{const u=require("net").connect(${Number(toPort)},"127.0.0.1");c.pipe(u).pipe(c);c.on("error",()=>u.destroy());u.on("error",()=>c.destroy());}).listen(${Number(fromPort)},"0.0.0.0")`;
}

export async function startForwarders(container: JobContainer, services: StartedService[], user: string): Promise<string[]> {
  const notes: string[] = [];
  for (const s of services) {
    for (const [containerPort, hostPort] of Object.entries(s.ports)) {
      if (hostPort === containerPort) continue;
      // Detached on purpose: the forwarder lives as long as the job container.
      void container
        .exec({ cmd: ["sh", "-c", `exec node -e '${forwarderScript(hostPort, containerPort)}'`], env: {}, user, onStdout: () => undefined, onStderr: () => undefined })
        .catch(() => undefined);
      notes.push(`localhost:${hostPort} forwards to service ${s.id} port ${containerPort}`);
    }
  }
  return notes;
}

export async function startServices(
  runtime: ContainerRuntime,
  o: {
    jobContainerId: string;
    namePrefix: string;
    labels: Record<string, string>;
    definitions: [string, ContainerDefinition][];
    pull: boolean;
    log: (line: string) => void;
    /** The runner size's CPUs: services run on the job's CPUs, as on GitHub's VM. */
    cpusetCpus?: string;
  },
): Promise<StartedService[]> {
  const started: StartedService[] = [];
  for (const [id, def] of o.definitions) {
    o.log(`Starting service ${id} (${def.image})`);
    for (const ignored of def.options.ignored) o.log(`##[warning]service ${id}: option ${ignored}`);
    await runtime.prepareImage(def.image, { pull: o.pull, ...(def.credentials ? { credentials: def.credentials } : {}) });
    const container = await runtime.createServiceContainer({
      id,
      name: `${o.namePrefix}-${id}`.slice(0, 120),
      image: def.image,
      labels: { ...o.labels, "dev.replay.service": id },
      env: def.env,
      networkMode: `container:${o.jobContainerId}`,
      options: def.options,
      volumes: def.volumes,
      ...(o.cpusetCpus ? { limits: { cpusetCpus: o.cpusetCpus } } : {}),
    });
    const ports = Object.fromEntries(parsePorts(def.ports).map((p) => [p.containerPort, p.hostPort]));
    started.push({ id, container, ports });
  }
  return started;
}
