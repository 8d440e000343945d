// The rules of a job's scoped Docker API, as pure checks and rewrites of request bodies;
// each resource's own checks are beside its routes (container-policy.ts, network-policy.ts,
// volume-policy.ts), the rules they share here.
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
export const obj = (v: unknown): Json => (isObject(v) ? v : {});
export const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

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
