import type { Kind } from "./engine-json.js";

// The request bodies the scoped API reads, field by field, as the engine's Go types name
// them (moby's api/types, from Engine 20.10 up to 28: the union, so that what any docker
// CLI or Compose of those years sends is understood). A field that is not here is refused.

type Fields = Record<string, Kind>;

const string: Kind = { t: "string" };
const bool: Kind = { t: "bool" };
const int: Kind = { t: "int" };
const uint: Kind = { t: "uint" };
const strslice: Kind = { t: "strslice" };
const set: Kind = { t: "set" };
const strings: Kind = { t: "list", of: string };
const ptr = (to: Kind): Kind => ({ t: "ptr", to });
const list = (of: Kind): Kind => ({ t: "list", of });
const map = (of: Kind): Kind => ({ t: "map", of });
const struct = (fields: Fields): Kind => ({ t: "struct", fields });
const labels = map(string);
const consoleSize: Kind = { t: "array", length: 2, of: uint };

const HEALTH_CONFIG: Fields = { Test: strings, Interval: int, Timeout: int, StartPeriod: int, StartInterval: int, Retries: int };

/** container.Config: what the image and the process are. */
export const CONFIG_FIELDS: Fields = {
  Hostname: string,
  Domainname: string,
  User: string,
  AttachStdin: bool,
  AttachStdout: bool,
  AttachStderr: bool,
  ExposedPorts: set,
  Tty: bool,
  OpenStdin: bool,
  StdinOnce: bool,
  Env: strings,
  Cmd: strslice,
  Healthcheck: ptr(struct(HEALTH_CONFIG)),
  ArgsEscaped: bool,
  Image: string,
  Volumes: set,
  WorkingDir: string,
  Entrypoint: strslice,
  NetworkDisabled: bool,
  MacAddress: string,
  OnBuild: strings,
  Labels: labels,
  StopSignal: string,
  StopTimeout: ptr(int),
  Shell: strslice,
};

const throttleDevice = ptr(struct({ Path: string, Rate: uint }));

/** container.Resources: cgroup limits (embedded in HostConfig and UpdateConfig). */
export const RESOURCES_FIELDS: Fields = {
  CpuShares: int,
  Memory: int,
  NanoCpus: int,
  CgroupParent: string,
  BlkioWeight: uint,
  BlkioWeightDevice: list(ptr(struct({ Path: string, Weight: uint }))),
  BlkioDeviceReadBps: list(throttleDevice),
  BlkioDeviceWriteBps: list(throttleDevice),
  BlkioDeviceReadIOps: list(throttleDevice),
  BlkioDeviceWriteIOps: list(throttleDevice),
  CpuPeriod: int,
  CpuQuota: int,
  CpuRealtimePeriod: int,
  CpuRealtimeRuntime: int,
  CpusetCpus: string,
  CpusetMems: string,
  Devices: list(struct({ PathOnHost: string, PathInContainer: string, CgroupPermissions: string })),
  DeviceCgroupRules: strings,
  DeviceRequests: list(struct({ Driver: string, Count: int, DeviceIDs: strings, Capabilities: list(strings), Options: labels })),
  KernelMemory: int,
  KernelMemoryTCP: int,
  MemoryReservation: int,
  MemorySwap: int,
  MemorySwappiness: ptr(int),
  OomKillDisable: ptr(bool),
  PidsLimit: ptr(int),
  Ulimits: list(ptr(struct({ Name: string, Hard: int, Soft: int }))),
  CpuCount: int,
  CpuPercent: int,
  IOMaximumIOps: uint,
  IOMaximumBandwidth: uint,
};

const restartPolicy = struct({ Name: string, MaximumRetryCount: int });

const MOUNT: Fields = {
  Type: string,
  Source: string,
  Target: string,
  ReadOnly: bool,
  Consistency: string,
  BindOptions: ptr(struct({ Propagation: string, NonRecursive: bool, CreateMountpoint: bool, ReadOnlyNonRecursive: bool, ReadOnlyForceRecursive: bool })),
  VolumeOptions: ptr(struct({ NoCopy: bool, Labels: labels, Subpath: string, DriverConfig: ptr(struct({ Name: string, Options: labels })) })),
  ImageOptions: ptr(struct({ Subpath: string })),
  TmpfsOptions: ptr(struct({ SizeBytes: int, Mode: uint, Options: list(strings) })),
  ClusterOptions: ptr(struct({})),
};

/** container.HostConfig: what the container may reach on the machine. */
export const HOST_CONFIG_FIELDS: Fields = {
  Binds: strings,
  ContainerIDFile: string,
  LogConfig: struct({ Type: string, Config: labels }),
  NetworkMode: string,
  PortBindings: map(list(struct({ HostIp: string, HostPort: string }))),
  RestartPolicy: restartPolicy,
  AutoRemove: bool,
  VolumeDriver: string,
  VolumesFrom: strings,
  ConsoleSize: consoleSize,
  Annotations: labels,
  CapAdd: strslice,
  CapDrop: strslice,
  CgroupnsMode: string,
  Dns: strings,
  DnsOptions: strings,
  DnsSearch: strings,
  ExtraHosts: strings,
  GroupAdd: strings,
  IpcMode: string,
  Cgroup: string,
  Links: strings,
  OomScoreAdj: int,
  PidMode: string,
  Privileged: bool,
  PublishAllPorts: bool,
  ReadonlyRootfs: bool,
  SecurityOpt: strings,
  StorageOpt: labels,
  Tmpfs: labels,
  UTSMode: string,
  UsernsMode: string,
  ShmSize: int,
  Sysctls: labels,
  Runtime: string,
  Isolation: string,
  ...RESOURCES_FIELDS,
  Mounts: list(struct(MOUNT)),
  MaskedPaths: strings,
  ReadonlyPaths: strings,
  Init: ptr(bool),
};

const ENDPOINT_SETTINGS: Fields = {
  IPAMConfig: ptr(struct({ IPv4Address: string, IPv6Address: string, LinkLocalIPs: strings })),
  Links: strings,
  Aliases: strings,
  DriverOpts: labels,
  GwPriority: int,
  NetworkID: string,
  EndpointID: string,
  Gateway: string,
  IPAddress: string,
  IPPrefixLen: int,
  IPv6Gateway: string,
  GlobalIPv6Address: string,
  GlobalIPv6PrefixLen: int,
  MacAddress: string,
  DNSNames: strings,
};

/**
 * `POST /containers/create`: the engine's wrapper embeds the Config beside HostConfig and
 * NetworkingConfig. (It embeds a deprecated HostConfig at the top as well, read when the
 * inner one is missing: those top-level fields are not here, so they are refused.)
 */
export const CONTAINER_CREATE_FIELDS: Fields = {
  ...CONFIG_FIELDS,
  HostConfig: ptr(struct(HOST_CONFIG_FIELDS)),
  NetworkingConfig: ptr(struct({ EndpointsConfig: map(ptr(struct(ENDPOINT_SETTINGS))) })),
};

/** `POST /containers/{id}/update` */
export const CONTAINER_UPDATE_FIELDS: Fields = { ...RESOURCES_FIELDS, RestartPolicy: restartPolicy };

/** `POST /containers/{id}/exec` */
export const EXEC_CREATE_FIELDS: Fields = {
  User: string,
  Privileged: bool,
  Tty: bool,
  ConsoleSize: ptr(consoleSize),
  AttachStdin: bool,
  AttachStderr: bool,
  AttachStdout: bool,
  Detach: bool,
  DetachKeys: string,
  Env: strings,
  WorkingDir: string,
  Cmd: strings,
};

/** `POST /networks/create` */
export const NETWORK_CREATE_FIELDS: Fields = {
  Name: string,
  CheckDuplicate: bool,
  Driver: string,
  Scope: string,
  EnableIPv4: ptr(bool),
  EnableIPv6: ptr(bool),
  IPAM: ptr(struct({ Driver: string, Options: labels, Config: list(struct({ Subnet: string, IPRange: string, Gateway: string, AuxiliaryAddresses: labels })) })),
  Internal: bool,
  Attachable: bool,
  Ingress: bool,
  ConfigOnly: bool,
  ConfigFrom: ptr(struct({ Network: string })),
  Options: labels,
  Labels: labels,
};

/** `POST /networks/{id}/connect` */
export const NETWORK_CONNECT_FIELDS: Fields = { Container: string, EndpointConfig: ptr(struct(ENDPOINT_SETTINGS)) };

/** `POST /networks/{id}/disconnect` */
export const NETWORK_DISCONNECT_FIELDS: Fields = { Container: string, Force: bool };

/** `POST /volumes/create` (a cluster volume's spec is swarm's, so not here). */
export const VOLUME_CREATE_FIELDS: Fields = { Name: string, Driver: string, DriverOpts: labels, Labels: labels };
