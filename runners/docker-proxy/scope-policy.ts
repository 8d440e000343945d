// The rules of a job's scoped Docker API, as pure checks and rewrites of request bodies.
// Each refusal names its rule, so a step's `docker` error says what replay will not do:
//
// - own resources only: a job touches only the containers, networks, volumes and execs it
//   created through its API (it may read and tag every image);
// - no host paths: the job's workspace is a copy inside its container, not a folder on this
//   machine, and a bind of a folder the job can change is a symlink away from any host path,
//   so binds of host paths are refused; named volumes the job created, anonymous volumes and
//   tmpfs work, and /var/run/docker.sock becomes the job's own scoped API socket;
// - privileged: --privileged, host namespaces, devices, unconfined security profiles and
//   capabilities that reach the host need `--allow-privileged`.

export const SCOPE_LABEL = "dev.replay.scope";
/** The `-p` mappings of a container, kept on it because replay publishes nothing itself. */
export const PORTS_LABEL = "dev.replay.ports";
// Images carry their own keys, not dev.replay.run: containers inherit an image's labels,
// and a container a user later starts from a kept image must not look like a replay leftover.
export const BUILT_BY_RUN_LABEL = "dev.replay.built-by-run";
export const BUILT_BY_JOB_LABEL = "dev.replay.built-by-job";

export type Rule = "own resources only" | "no host paths" | "privileged" | "known fields only" | "not served";

export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly rule: Rule,
    detail: string,
  ) {
    super(`refused by replay (${rule}): ${detail}`);
  }
}

export type Json = Record<string, unknown>;
export type Ownership = "owned" | "foreign" | "missing";

export interface Lookups {
  container(ref: string): Promise<Ownership>;
  network(ref: string): Promise<Ownership>;
  volume(name: string): Promise<Ownership>;
  /** The VOLUME paths an image declares (empty when the image is not here). */
  imageVolumes(image: string): Promise<string[]>;
}

export interface ScopeSettings {
  allowPrivileged: boolean;
  /** What everything the job creates is labelled with: the run's labels, the job, the scope. */
  labels: Record<string, string>;
  jobContainerId: string;
  /** The host path of the job's own API socket: what a mount of docker.sock becomes. */
  socketPath: string;
  /** The same socket as the job container sees it (`DOCKER_HOST`), mounted by tools such as testcontainers. */
  socketPathInJob?: string;
}

export interface PortMapping {
  /** `80/tcp` */
  port: string;
  hostIp: string;
  hostPort: string;
}

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const obj = (v: unknown): Json => (isObject(v) ? v : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

const PREDEFINED_NETWORKS = new Set(["", "default", "bridge", "none"]);
const DOCKER_SOCKETS = new Set(["/var/run/docker.sock", "/run/docker.sock"]);
// Capabilities that act on the machine rather than inside the container's namespaces.
const HOST_CAPABILITIES = new Set([
  "ALL",
  "SYS_ADMIN",
  "SYS_MODULE",
  "SYS_RAWIO",
  "SYS_BOOT",
  "SYS_TIME",
  "DAC_READ_SEARCH",
  "MAC_ADMIN",
  "MAC_OVERRIDE",
  "BPF",
  "PERFMON",
  "SYSLOG",
  "WAKE_ALARM",
  "BLOCK_SUSPEND",
]);

// Log drivers other than these make the engine send the container's output on from this machine.
const LOCAL_LOG_DRIVERS = new Set(["", "json-file", "local", "none"]);

/** What a container (or exec, or update) asks for that needs `--allow-privileged`. */
export function privilegeProblems(host: Json): string[] {
  const problems: string[] = [];
  const logDriver = obj(host["LogConfig"])["Type"];
  if (typeof logDriver === "string" && !LOCAL_LOG_DRIVERS.has(logDriver)) problems.push(`--log-driver ${logDriver}`);
  if (host["Privileged"] === true) problems.push("--privileged");
  for (const [field, flag] of [["IpcMode", "--ipc"], ["UTSMode", "--uts"], ["UsernsMode", "--userns"], ["CgroupnsMode", "--cgroupns"]] as const) {
    if (host[field] === "host") problems.push(`${flag} host`);
  }
  for (const cap of strings(host["CapAdd"])) {
    if (HOST_CAPABILITIES.has(cap.toUpperCase().replace(/^CAP_/, ""))) problems.push(`--cap-add ${cap}`);
  }
  if (Array.isArray(host["Devices"]) && host["Devices"].length) problems.push("--device");
  if (Array.isArray(host["DeviceRequests"]) && host["DeviceRequests"].length) problems.push("--gpus");
  if (Array.isArray(host["DeviceCgroupRules"]) && host["DeviceCgroupRules"].length) problems.push("--device-cgroup-rule");
  for (const opt of strings(host["SecurityOpt"])) {
    if (!/^no-new-privileges(?:[:=]true)?$/.test(opt)) problems.push(`--security-opt ${opt}`);
  }
  // The CLI sends these (empty) only for --security-opt systempaths=unconfined: /proc and /sys unmasked.
  if (Array.isArray(host["MaskedPaths"]) || Array.isArray(host["ReadonlyPaths"])) problems.push("unmasked system paths");
  if (typeof host["CgroupParent"] === "string" && host["CgroupParent"]) problems.push("--cgroup-parent");
  return problems;
}

export function refusePrivileged(problems: string[], allowPrivileged: boolean): void {
  if (problems.length && !allowPrivileged) {
    throw new Refusal(403, "privileged", `${problems.join(", ")} reaches beyond the container; rerun replay with --allow-privileged to allow it`);
  }
}

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

async function checkContainer(ref: string, lookups: Lookups, what: string): Promise<void> {
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

/** Checks and labels a `POST /networks/create` body. */
export function planNetworkCreate(input: Json, settings: ScopeSettings): Json {
  const body: Json = structuredClone(input);
  const driver = typeof body["Driver"] === "string" ? body["Driver"] : "";
  if (driver !== "" && driver !== "bridge") {
    refusePrivileged([`network driver ${driver}`], settings.allowPrivileged);
  }
  if (typeof obj(body["Options"])["com.docker.network.bridge.name"] === "string") {
    refusePrivileged(["a network with the name of a host bridge"], settings.allowPrivileged);
  }
  const ipamDriver = obj(body["IPAM"])["Driver"];
  if (typeof ipamDriver === "string" && ipamDriver !== "" && ipamDriver !== "default") refusePrivileged([`IPAM driver ${ipamDriver}`], settings.allowPrivileged);
  // Swarm's and config-only networks' settings come from elsewhere on this machine.
  if (body["Ingress"] === true || body["ConfigFrom"] !== undefined || (typeof body["Scope"] === "string" && !["", "local"].includes(body["Scope"]))) {
    throw new Refusal(403, "not served", "swarm-scoped, ingress and config-from networks are not available to a replayed job");
  }
  body["Labels"] = { ...obj(body["Labels"]), ...settings.labels };
  return body;
}

/** Checks and labels a `POST /volumes/create` body. */
export function planVolumeCreate(input: Json, settings: ScopeSettings): Json {
  const body: Json = structuredClone(input);
  const driver = typeof body["Driver"] === "string" ? body["Driver"] : "";
  if (driver !== "" && driver !== "local") throw new Refusal(403, "no host paths", `volume driver ${driver} is not available to a replayed job`);
  const opts = obj(body["DriverOpts"]);
  const type = typeof opts["type"] === "string" ? opts["type"] : "";
  if (Object.keys(opts).length && type !== "tmpfs") {
    throw new Refusal(403, "no host paths", `local volume options other than type=tmpfs can mount host paths or devices`);
  }
  body["Labels"] = { ...obj(body["Labels"]), ...settings.labels };
  return body;
}

/** The `filters` query parameter of a list call, with one more label that must match. */
export function withLabelFilter(raw: string | null, label: string): string {
  let filters: Json = {};
  try {
    filters = raw ? obj(JSON.parse(raw)) : {};
  } catch {
    filters = {};
  }
  const labels = filters["label"];
  const asMap: Json = Array.isArray(labels) ? Object.fromEntries(strings(labels).map((l) => [l, true])) : obj(labels);
  filters["label"] = { ...asMap, [label]: true };
  return JSON.stringify(filters);
}
