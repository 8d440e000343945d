import { describe, expect, it } from "vitest";
import { normaliseTag } from "./run-docker-api.js";
import { PORTS_LABEL, Refusal, privilegeProblems, withLabelFilter } from "./scope-policy.js";
import { planContainerCreate, portsFromLabels } from "./container-policy.js";
import { planNetworkCreate } from "./network-policy.js";
import { planVolumeCreate } from "./volume-policy.js";
import type { Json, Lookups, Ownership, ScopeSettings } from "./scope-policy.js";

const settings: ScopeSettings = {
  allowPrivileged: false,
  labels: { "dev.replay.run": "r1", "dev.replay.scope": "s1" },
  jobContainerId: "job123",
  socketPath: "/tmp/run/job-1/docker.sock",
  socketPathInJob: "/home/runner/work/_temp/_runner_file_commands/docker.sock",
};

/** A job that created container `mine`, network `ours` and volume `data`; `theirs` exists too. */
const lookups: Lookups = {
  container: (ref) => Promise.resolve<Ownership>(ref === "mine" ? "owned" : ref === "gone" ? "missing" : "foreign"),
  network: (ref) => Promise.resolve<Ownership>(ref === "ours" ? "owned" : ref === "gone" ? "missing" : "foreign"),
  volume: (name) => Promise.resolve<Ownership>(name === "data" ? "owned" : name === "theirs" ? "foreign" : "missing"),
  imageVolumes: (image) => Promise.resolve(image === "postgres" ? ["/var/lib/postgresql/data"] : []),
};

const create = (host: Json, extra: Json = {}, s: ScopeSettings = settings): ReturnType<typeof planContainerCreate> =>
  planContainerCreate({ Image: "app", ...extra, HostConfig: host }, s, lookups);

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Refusal) return e.message;
    throw e;
  }
  return "not refused";
}

describe("container create", () => {
  it.each<[string, Json, string[]]>([
    ["--privileged", { Privileged: true }, ["(privileged)", "--privileged", "--allow-privileged"]],
    ["a host capability", { CapAdd: ["SYS_ADMIN"] }, ["--cap-add SYS_ADMIN"]],
    ["a device", { Devices: [{ PathOnHost: "/dev/sda" }] }, ["--device"]],
    ["an unconfined profile", { SecurityOpt: ["seccomp=unconfined"] }, ["--security-opt seccomp=unconfined"]],
    ["the host's IPC", { IpcMode: "host" }, ["--ipc host"]],
    ["a host path", { Binds: ["/etc:/host"] }, ["(no host paths)", "/etc"]],
    ["a relative host path", { Binds: ["./src:/src"] }, ["(no host paths)", "./src"]],
    ["a host path as a mount", { Mounts: [{ Type: "bind", Source: "/home", Target: "/h" }] }, ["(no host paths)", "/home"]],
    ["a volume with driver options", { Mounts: [{ Type: "volume", Source: "x", Target: "/x", VolumeOptions: { DriverConfig: { Options: { device: "/" } } } }] }, ["driver options"]],
    ["someone else's volume", { Binds: ["theirs:/data"] }, ["(own resources only)", "volume theirs"]],
    ["someone else's network", { NetworkMode: "theirs" }, ["network theirs"]],
    ["someone else's namespace", { NetworkMode: "container:theirs" }, ["container theirs"]],
    ["someone else's volumes", { VolumesFrom: ["theirs"] }, ["container theirs"]],
    ["someone else's IPC namespace", { IpcMode: "container:theirs" }, ["container theirs", "IPC"]],
    ["someone else's cgroup", { Cgroup: "container:theirs" }, ["container theirs", "cgroup"]],
    ["a log driver that sends output off the machine", { LogConfig: { Type: "syslog", Config: {} } }, ["(privileged)", "--log-driver syslog"]],
    ["a volume driver", { VolumeDriver: "sshfs" }, ["(no host paths)", "volume driver sshfs"]],
  ])("refuses %s, naming the rule", async (_what, host, words) => {
    const message = await refusal(create(host));
    for (const w of words) expect(message).toContain(w);
  });

  it("allows privileged containers with --allow-privileged", async () => {
    const plan = await create({ Privileged: true, CapAdd: ["SYS_ADMIN"] }, {}, { ...settings, allowPrivileged: true });
    expect((plan.body["HostConfig"] as Json)["Privileged"]).toBe(true);
  });

  it("labels the container, keeps its own labels, and allows what a job may use", async () => {
    const plan = await create(
      { Binds: ["data:/data", "cache:/cache:ro", "/var/run/docker.sock:/var/run/docker.sock"], NetworkMode: "ours", VolumesFrom: ["mine"], CapAdd: ["NET_ADMIN"], SecurityOpt: ["no-new-privileges"] },
      { Labels: { app: "web" } },
    );
    expect(plan.body["Labels"]).toEqual({ app: "web", ...settings.labels });
    const host = plan.body["HostConfig"] as Json;
    expect(host["Binds"]).toEqual(["data:/data", "cache:/cache:ro", "/tmp/run/job-1/docker.sock:/var/run/docker.sock"]);
    // A volume the job names that does not exist yet is created (labelled) before the container.
    expect(plan.createVolumes).toEqual(["cache"]);
  });

  it("mounts the job's own socket where a tool names it by DOCKER_HOST's path", async () => {
    const plan = await create({ Mounts: [{ Type: "bind", Source: settings.socketPathInJob, Target: "/var/run/docker.sock" }] });
    expect((plan.body["HostConfig"] as Json)["Mounts"]).toEqual([{ Type: "bind", Source: settings.socketPath, Target: "/var/run/docker.sock" }]);
  });

  it("makes anonymous and image volumes carry the job's labels", async () => {
    const plan = await planContainerCreate({ Image: "postgres", HostConfig: { Binds: ["/scratch"] } }, settings, lookups);
    const mounts = (plan.body["HostConfig"] as Json)["Mounts"];
    expect(mounts).toEqual([
      { Type: "volume", Target: "/scratch", VolumeOptions: { Labels: settings.labels } },
      { Type: "volume", Target: "/var/lib/postgresql/data", VolumeOptions: { Labels: settings.labels } },
    ]);
  });

  it("turns the host's network and processes into the job container's", async () => {
    const plan = await create({ NetworkMode: "host", PidMode: "host" });
    const host = plan.body["HostConfig"] as Json;
    expect(host["NetworkMode"]).toBe("container:job123");
    expect(host["PidMode"]).toBe("container:job123");
  });

  it("publishes nothing on the machine and keeps the mappings for the job's forwarders", async () => {
    const plan = await create({ PortBindings: { "80/tcp": [{ HostIp: "", HostPort: "8080" }], "53/udp": [{ HostPort: "" }] } });
    const host = plan.body["HostConfig"] as Json;
    expect(host["PortBindings"]).toBeUndefined();
    expect(portsFromLabels(plan.body["Labels"])).toEqual([
      { port: "80/tcp", hostIp: "", hostPort: "8080" },
      { port: "53/udp", hostIp: "", hostPort: "53" },
    ]);
    expect(typeof (plan.body["Labels"] as Json)[PORTS_LABEL]).toBe("string");
  });
});

describe("privilegeProblems", () => {
  it.each<[Json, string[]]>([
    [{}, []],
    [{ CapAdd: ["NET_ADMIN", "cap_sys_admin"] }, ["--cap-add cap_sys_admin"]],
    [{ SecurityOpt: ["no-new-privileges:true", "apparmor=unconfined"] }, ["--security-opt apparmor=unconfined"]],
    [{ Privileged: true, UTSMode: "host" }, ["--privileged", "--uts host"]],
    [{ MaskedPaths: [], ReadonlyPaths: [] }, ["unmasked system paths"]],
  ])("%j", (host, problems) => {
    expect(privilegeProblems(host)).toEqual(problems);
  });
});

describe("networks and volumes", () => {
  it("labels a bridge network and refuses drivers that reach host interfaces", () => {
    expect(planNetworkCreate({ Name: "n", Labels: { a: "b" } }, settings)["Labels"]).toEqual({ a: "b", ...settings.labels });
    expect(() => planNetworkCreate({ Name: "n", Driver: "macvlan" }, settings)).toThrow(/network driver macvlan/);
    expect(() => planNetworkCreate({ Name: "n", IPAM: { Driver: "plugin" } }, settings)).toThrow(/IPAM driver plugin/);
    expect(() => planNetworkCreate({ Name: "n", ConfigFrom: { Network: "theirs" } }, settings)).toThrow(/config-from/);
    expect(() => planNetworkCreate({ Name: "n", Ingress: true }, settings)).toThrow(/ingress/);
  });

  it.each<[Json, string | undefined]>([
    [{ Name: "v" }, undefined],
    [{ Name: "v", DriverOpts: { type: "tmpfs", device: "tmpfs", o: "size=10m" } }, undefined],
    [{ Name: "v", DriverOpts: { type: "none", o: "bind", device: "/" } }, "can mount host paths"],
    [{ Name: "v", Driver: "nfs" }, "volume driver nfs"],
  ])("volume %j", (body, refused) => {
    if (refused) expect(() => planVolumeCreate(body, settings)).toThrow(refused);
    else expect(planVolumeCreate(body, settings)["Labels"]).toEqual(settings.labels);
  });
});

describe("withLabelFilter", () => {
  it.each([
    [null, { label: { "s=1": true } }],
    ['{"label":["com.docker.compose.project=p"]}', { label: { "com.docker.compose.project=p": true, "s=1": true } }],
    ['{"status":{"running":true},"label":{"a=b":true}}', { status: { running: true }, label: { "a=b": true, "s=1": true } }],
  ])("%s", (raw, expected) => {
    expect(JSON.parse(withLabelFilter(raw, "s=1"))).toEqual(expected);
  });
});

describe("normaliseTag", () => {
  it.each([
    ["app", "app:latest"],
    ["app:1", "app:1"],
    ["localhost:5000/app", "localhost:5000/app:latest"],
    ["ghcr.io/o/app:2", "ghcr.io/o/app:2"],
    ["app@sha256:abc", "app@sha256:abc"],
  ])("%s", (ref, tag) => {
    expect(normaliseTag(ref)).toBe(tag);
  });
});
