// What a job's `POST /containers/create` may ask for, checked and rewritten: its mounts,
// networks, links, ports and privileges (the rules are named in scope-policy.ts).
import { Refusal, PORTS_LABEL, obj, strings, privilegeProblems, refusePrivileged } from "./scope-policy.js";
import type { Json, Lookups, ScopeSettings, PortMapping } from "./scope-policy.js";

const PREDEFINED_NETWORKS = new Set(["", "default", "bridge", "none"]);
const DOCKER_SOCKETS = new Set(["/var/run/docker.sock", "/run/docker.sock"]);
/** A bind's source is a host path unless it is a bare volume name. */
const isHostPath = (source: string): boolean => source.startsWith("/") || source.startsWith(".") || source.startsWith("~") || /^[A-Za-z]:[\\/]/.test(source);

function hostPathRefusal(source: string): Refusal {
  return new Refusal(
    403,
    "no host paths",
    `the job may not mount ${source} from this machine (its workspace is a copy inside the job's container, not a host folder); use a named volume it creates, \`docker cp\`, or COPY in a Dockerfile`,
  );
}

async function checkVolume(name: string, lookups: Lookups, toCreate: string[]): Promise<void> {
  const owner = await lookups.volume(name);
  if (owner === "foreign") throw new Refusal(403, "own resources only", `volume ${name} was not created by this job`);
  if (owner === "missing" && !toCreate.includes(name)) toCreate.push(name);
}

async function checkNetwork(name: string, lookups: Lookups, what: string): Promise<void> {
  if (PREDEFINED_NETWORKS.has(name)) return;
  if ((await lookups.network(name)) !== "owned") throw new Refusal(403, "own resources only", `network ${name} was not created by this job, so ${what} may not join it`);
}

export async function checkContainer(ref: string, lookups: Lookups, what: string): Promise<void> {
  if ((await lookups.container(ref)) !== "owned") throw new Refusal(403, "own resources only", `container ${ref} was not created by this job, so ${what}`);
}

/** A network's links name containers too: only the job's. */
export async function checkEndpointLinks(endpoint: unknown, lookups: Lookups): Promise<void> {
  for (const link of strings(obj(endpoint)["Links"])) await checkContainer(link.split(":")[0] ?? link, lookups, "a container may not link to it");
}

export interface CreatePlan {
  body: Json;
  /** Named volumes to create (labelled) before the container, as the engine would unlabelled. */
  createVolumes: string[];
}

/** Checks and rewrites a `POST /containers/create` body. */
export async function planContainerCreate(input: Json, settings: ScopeSettings, lookups: Lookups): Promise<CreatePlan> {
  const body: Json = structuredClone(input);
  const host: Json = obj(body["HostConfig"]);
  body["HostConfig"] = host;
  refusePrivileged(privilegeProblems(host), settings.allowPrivileged);

  // The job's "host" is its own container, as the runner VM is on GitHub: --network host
  // and --pid host join the job container's namespaces, never this machine's.
  for (const field of ["NetworkMode", "PidMode"] as const) {
    if (host[field] === "host") host[field] = `container:${settings.jobContainerId}`;
  }
  const networkMode = typeof host["NetworkMode"] === "string" ? host["NetworkMode"] : "";
  const joins = /^container:(.+)$/.exec(networkMode)?.[1];
  if (joins !== undefined) {
    if (joins !== settings.jobContainerId) await checkContainer(joins, lookups, "a container may not join its network");
  } else {
    await checkNetwork(networkMode, lookups, "a container");
  }
  for (const [field, what] of [["PidMode", "its processes"], ["IpcMode", "its IPC namespace"], ["Cgroup", "its cgroup"]] as const) {
    const shares = /^container:(.+)$/.exec(typeof host[field] === "string" ? host[field] : "")?.[1];
    if (shares !== undefined && shares !== settings.jobContainerId) await checkContainer(shares, lookups, `a container may not share ${what}`);
  }
  for (const [name, endpoint] of Object.entries(obj(obj(body["NetworkingConfig"])["EndpointsConfig"]))) {
    await checkNetwork(name, lookups, "a container");
    await checkEndpointLinks(endpoint, lookups);
  }
  for (const ref of strings(host["VolumesFrom"])) await checkContainer(ref.replace(/:(ro|rw)$/, ""), lookups, "a container may not take its volumes");
  for (const link of strings(host["Links"])) await checkContainer(link.split(":")[0] ?? link, lookups, "a container may not link to it");

  const volumeDriver = typeof host["VolumeDriver"] === "string" ? host["VolumeDriver"] : "";
  if (volumeDriver !== "" && volumeDriver !== "local") throw new Refusal(403, "no host paths", `volume driver ${volumeDriver} is not available to a replayed job`);
  const volumeLabels = settings.labels;
  const createVolumes: string[] = [];
  const binds: string[] = [];
  const mounts: Json[] = Array.isArray(host["Mounts"]) ? host["Mounts"].map(obj) : [];
  const targets = new Set<string>();
  const isDockerSocket = (source: string): boolean => DOCKER_SOCKETS.has(source) || source === settings.socketPathInJob;
  for (const bind of strings(host["Binds"])) {
    const parts = bind.split(":");
    if (parts.length === 1) {
      // An anonymous volume: as a mount it can carry the job's labels.
      mounts.push({ Type: "volume", Target: bind, VolumeOptions: { Labels: volumeLabels } });
      targets.add(bind);
      continue;
    }
    const [source = "", target = "", ...options] = parts;
    targets.add(target);
    if (isDockerSocket(source)) {
      binds.push([settings.socketPath, target, ...options].join(":"));
    } else if (isHostPath(source)) {
      throw hostPathRefusal(source);
    } else {
      await checkVolume(source, lookups, createVolumes);
      binds.push(bind);
    }
  }
  for (const mount of mounts) {
    const type = typeof mount["Type"] === "string" ? mount["Type"] : "volume";
    const source = typeof mount["Source"] === "string" ? mount["Source"] : "";
    if (typeof mount["Target"] === "string") targets.add(mount["Target"]);
    if (type === "bind") {
      if (isDockerSocket(source)) mount["Source"] = settings.socketPath;
      else throw hostPathRefusal(source);
    } else if (type === "volume") {
      const options = obj(mount["VolumeOptions"]);
      const driver = obj(options["DriverConfig"]);
      if (Object.keys(obj(driver["Options"])).length || (typeof driver["Name"] === "string" && driver["Name"] !== "" && driver["Name"] !== "local")) {
        throw new Refusal(403, "no host paths", `volume driver options can mount host paths; create the volume with \`docker volume create\` (tmpfs options only) first`);
      }
      if (source) await checkVolume(source, lookups, createVolumes);
      else mount["VolumeOptions"] = { ...options, Labels: { ...obj(options["Labels"]), ...volumeLabels } };
    } else if (type !== "tmpfs") {
      throw new Refusal(403, "no host paths", `${type} mounts are not available to a replayed job`);
    }
  }
  // VOLUMEs the image declares would be anonymous volumes without labels: make them ours.
  const image = typeof body["Image"] === "string" ? body["Image"] : "";
  for (const target of image ? await lookups.imageVolumes(image) : []) {
    if (!targets.has(target)) mounts.push({ Type: "volume", Target: target, VolumeOptions: { Labels: volumeLabels } });
  }
  host["Binds"] = binds;
  host["Mounts"] = mounts;

  // Nothing is published on this machine: the job reaches `-p 8080:80` at localhost:8080
  // through a forwarder in its own network namespace (see port-forwarder.ts).
  const ports = portMappings(body, host);
  delete host["PortBindings"];
  host["PublishAllPorts"] = false;
  body["Labels"] = { ...obj(body["Labels"]), ...settings.labels, ...(ports.length ? { [PORTS_LABEL]: JSON.stringify(ports) } : {}) };
  return { body, createVolumes };
}

function portMappings(body: Json, host: Json): PortMapping[] {
  const out: PortMapping[] = [];
  for (const [port, bindings] of Object.entries(obj(host["PortBindings"]))) {
    const list = Array.isArray(bindings) && bindings.length ? bindings.map(obj) : [{}];
    for (const b of list) {
      const hostPort = typeof b["HostPort"] === "string" && b["HostPort"] ? b["HostPort"] : port.split("/")[0] ?? "";
      out.push({ port, hostIp: typeof b["HostIp"] === "string" ? b["HostIp"] : "", hostPort: hostPort.split("-")[0] ?? hostPort });
    }
  }
  if (host["PublishAllPorts"] === true) {
    for (const port of Object.keys(obj(body["ExposedPorts"]))) {
      if (!out.some((p) => p.port === port)) out.push({ port, hostIp: "", hostPort: port.split("/")[0] ?? "" });
    }
  }
  return out;
}

export function portsFromLabels(labels: unknown): PortMapping[] {
  const raw = obj(labels)[PORTS_LABEL];
  if (typeof raw !== "string") return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.map(obj).map((p) => ({ port: String(p["port"]), hostIp: String(p["hostIp"] ?? ""), hostPort: String(p["hostPort"]) })) : [];
  } catch {
    return [];
  }
}
