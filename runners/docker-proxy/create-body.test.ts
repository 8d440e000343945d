import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeEngineBody } from "./engine-json.js";
import { CONTAINER_CREATE_FIELDS, HOST_CONFIG_FIELDS } from "./engine-schema.js";
import { Refusal, privilegeProblems } from "./scope-policy.js";
import { planContainerCreate } from "./container-policy.js";
import type { Json, Lookups, Ownership, ScopeSettings } from "./scope-policy.js";

// A create body as the scoped API handles it: decoded as the engine would, checked, and
// forwarded re-serialised. Whatever the spelling, the engine must never get what was refused.

const settings: ScopeSettings = { allowPrivileged: false, labels: { "dev.replay.scope": "s1" }, jobContainerId: "job123", socketPath: "/tmp/job/docker.sock" };
const lookups: Lookups = {
  container: (ref) => Promise.resolve<Ownership>(ref === "mine" ? "owned" : "foreign"),
  network: (ref) => Promise.resolve<Ownership>(ref === "ours" ? "owned" : "foreign"),
  volume: (name) => Promise.resolve<Ownership>(name === "data" ? "owned" : "foreign"),
  imageVolumes: () => Promise.resolve([]),
};

type Outcome = { refused: string } | { forwarded: Json };
async function send(raw: string): Promise<Outcome> {
  try {
    const plan = await planContainerCreate(decodeEngineBody(raw, CONTAINER_CREATE_FIELDS), settings, lookups);
    return { forwarded: JSON.parse(JSON.stringify(plan.body)) as Json };
  } catch (e) {
    if (e instanceof Refusal) return { refused: e.message };
    throw e;
  }
}
const hostOf = (o: Outcome): Json => ("forwarded" in o ? (o.forwarded["HostConfig"] as Json) : {});

const spellings = (name: string): [string, string][] => [
  ["exact", name],
  ["lower", name.toLowerCase()],
  ["upper", name.toUpperCase()],
  ["mixed", [...name].map((c, i) => (i % 2 ? c.toLowerCase() : c.toUpperCase())).join("")],
];

/** Each option that reaches the host: a value that does, one that does not, and what must come of the first. */
const HOST_REACHING: { field: string; bad: string; good: string; want: (o: Outcome) => void }[] = [
  ...(
    [
      ["Privileged", "true", "false", "--privileged"],
      ["IpcMode", '"host"', '"private"', "--ipc host"],
      ["UTSMode", '"host"', '""', "--uts host"],
      ["UsernsMode", '"host"', '""', "--userns host"],
      ["CgroupnsMode", '"host"', '"private"', "--cgroupns host"],
      ["CapAdd", '["ALL"]', '["NET_ADMIN"]', "--cap-add ALL"],
      ["CapAdd", '"SYS_ADMIN"', '"NET_ADMIN"', "--cap-add SYS_ADMIN"],
      ["SecurityOpt", '["seccomp=unconfined"]', '["no-new-privileges"]', "--security-opt seccomp=unconfined"],
      ["Devices", '[{"PathOnHost":"/dev/mem","PathInContainer":"/dev/mem","CgroupPermissions":"rwm"}]', "[]", "--device"],
      ["DeviceCgroupRules", '["a *:* rwm"]', "[]", "--device-cgroup-rule"],
      ["CgroupParent", '"/"', '""', "--cgroup-parent"],
      ["LogConfig", '{"Type":"syslog","Config":{"syslog-address":"tcp://127.0.0.1:514"}}', '{"Type":"json-file"}', "--log-driver syslog"],
      ["Binds", '["/:/host"]', '["data:/data"]', "(no host paths)"],
      ["Mounts", '[{"Type":"bind","Source":"/etc","Target":"/h"}]', '[{"Type":"volume","Target":"/h"}]', "(no host paths)"],
      ["Mounts", '[{"type":"bind","source":"/etc","target":"/h"}]', '[{"type":"volume","target":"/h"}]', "(no host paths)"],
      ["VolumesFrom", '["theirs"]', '["mine"]', "container theirs"],
      ["Links", '["theirs:db"]', '["mine:db"]', "container theirs"],
      ["NetworkMode", '"container:theirs"', '"ours"', "container theirs"],
      ["PidMode", '"container:theirs"', '""', "container theirs"],
      ["IpcMode", '"container:theirs"', '""', "container theirs"],
      ["Cgroup", '"container:theirs"', '""', "container theirs"],
    ] as const
  ).map(([field, bad, good, words]) => ({ field, bad, good, want: (o: Outcome): void => expect("refused" in o ? o.refused : "forwarded").toContain(words) })),
  // The job's "host" is its own container: host's network and processes become the job container's.
  ...(["NetworkMode", "PidMode"] as const).map((field) => ({ field, bad: '"host"', good: '"bridge"', want: (o: Outcome): void => expect(hostOf(o)[field]).toBe("container:job123") })),
];

describe.each(HOST_REACHING)("HostConfig.$field = $bad", ({ field, bad, good, want }) => {
  const body = (host: string, hostKey = "HostConfig"): string => `{"Image":"app","${hostKey}":{${host}}}`;

  it.each([...spellings(field), ["Go's special folds", field.replace(/s/, "\u017f").replace(/k/, "\u212a")]])("in %s case (%s) is seen", async (_how, key) => {
    want(await send(body(`"${key}":${bad}`)));
    want(await send(body(`"${key}":${bad}`, "hostconfig")));
  });

  it("repeated with the dangerous value last, is seen", async () => {
    want(await send(body(`"${field}":${good},"${field.toLowerCase()}":${bad}`)));
  });

  it("repeated with the dangerous value first, what is forwarded is the later, harmless one", async () => {
    const o = await send(body(`"${field.toLowerCase()}":${bad},"${field}":${good}`));
    // Objects merge (Go decodes the later into the earlier), so only a plain value is simply replaced.
    if (!/^\[?\{/.test(bad)) expect(o).toEqual(await send(body(`"${field}":${good}`)));
    else if ("forwarded" in o) expect(privilegeProblems(hostOf(o))).toEqual([]);
  });

  it("outside HostConfig (the engine's deprecated top level) is refused", async () => {
    expect(await send(`{"Image":"app","${field.toLowerCase()}":${bad}}`)).toMatchObject({ refused: expect.stringContaining("(known fields only)") });
  });
});

describe("any spelling of a create body (property)", () => {
  const values: [string, string][] = [
    ["Privileged", "true"], ["Privileged", "false"], ["Privileged", "null"], ["NetworkMode", '"host"'], ["NetworkMode", '"bridge"'],
    ["PidMode", '"host"'], ["IpcMode", '"host"'], ["CapAdd", '["ALL"]'], ["CapAdd", '"SYS_ADMIN"'], ["CapAdd", '["NET_ADMIN"]'],
    ["SecurityOpt", '["seccomp=unconfined"]'], ["Devices", '[{"PathOnHost":"/dev/mem"}]'], ["Binds", '["/:/h"]'], ["Binds", '["data:/d"]'],
    ["Mounts", '[{"Type":"bind","Source":"/","Target":"/h"}]'], ["Mounts", '[{"Target":"/t"}]'], ["Memory", "1048576"], ["AutoRemove", "true"],
  ];
  const letterCase = fc.array(fc.constantFrom("keep", "lower", "upper", "flip", "fold"), { minLength: 1, maxLength: 40 });
  const spell = (key: string, how: string[]): string =>
    [...key]
      .map((c, i) => {
        const h = how[i % how.length];
        if (h === "lower") return c.toLowerCase();
        if (h === "upper") return c.toUpperCase();
        if (h === "flip") return c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
        if (h === "fold") return c === "s" ? "\u017f" : c === "k" ? "\u212a" : c;
        return c;
      })
      .join("");
  const entry = fc.tuple(fc.constantFrom(...values), letterCase);
  const body = fc.record({
    hostKey: letterCase,
    host: fc.array(entry, { maxLength: 8 }),
    // Host options moved up out of HostConfig: the nesting the engine's wrapper also reads.
    top: fc.array(entry, { maxLength: 2 }),
    twoHostConfigs: fc.boolean(),
  });

  it("is refused, or forwarded exactly as checked, and never with what reaches the host", async () => {
    await fc.assert(
      fc.asyncProperty(body, async ({ hostKey, host, top, twoHostConfigs }) => {
        const pairs = (list: typeof host): string => list.map(([[k, v], how]) => `"${spell(k, how)}":${v}`).join(",");
        const half = twoHostConfigs ? Math.floor(host.length / 2) : host.length;
        const hostObjects = [host.slice(0, half), ...(twoHostConfigs ? [host.slice(half)] : [])];
        const raw = `{"Image":"app"${top.length ? `,${pairs(top)}` : ""}${hostObjects.map((h) => `,"${spell("HostConfig", hostKey)}":{${pairs(h)}}`).join("")}}`;
        const o = await send(raw);
        // What the engine would make of the body: Go's last-wins over the folded names.
        const last = (field: string): string | undefined => host.filter(([[k, v]]) => k === field && v !== "null").map(([[, v]]) => v).pop();
        if ("refused" in o) return;
        expect(top).toEqual([]);
        expect(last("Privileged")).not.toBe("true");
        const forwarded = o.forwarded;
        // The forwarded bytes, read again by the engine's rules, are the checked body itself.
        expect(decodeEngineBody(JSON.stringify(forwarded), CONTAINER_CREATE_FIELDS)).toEqual(forwarded);
        const h = forwarded["HostConfig"] as Json;
        for (const k of Object.keys(h)) expect(Object.keys(HOST_CONFIG_FIELDS)).toContain(k);
        expect(privilegeProblems(h)).toEqual([]);
        expect([h["NetworkMode"], h["PidMode"]]).not.toContain("host");
        expect(JSON.stringify(h["Binds"] ?? [])).not.toContain('"/:');
        expect(JSON.stringify(h["Mounts"] ?? [])).not.toContain('"bind"');
      }),
      { numRuns: 400 },
    );
  });
});
