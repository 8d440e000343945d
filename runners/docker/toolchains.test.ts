import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ReplayError } from "../../common/index.js";
import { findPackageRoot } from "./image-builder.js";
import { IMAGE_NAMES } from "./image-choice.js";
import { buildArgsFor, dockerfileArgs, readToolchains, toolchainArgs } from "./toolchains.js";

const imagesDir = path.join(findPackageRoot(), "images");

describe("images/toolchains.yml", () => {
  const dockerfiles = IMAGE_NAMES.map((name) => ({ name, args: dockerfileArgs(readFileSync(path.join(imagesDir, name, "Dockerfile"), "utf8")) }));

  it("agrees with the ARG defaults of every Dockerfile, so a plain docker build gives the same image", async () => {
    const manifest = toolchainArgs(await readToolchains(imagesDir));
    const mismatches: string[] = [];
    for (const { name, args } of dockerfiles) {
      for (const [arg, value] of args) {
        if (manifest.has(arg) && manifest.get(arg) !== value) mismatches.push(`${name}: ${arg}: manifest ${String(manifest.get(arg))}, Dockerfile ${String(value)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("is used: every entry reaches some Dockerfile through its URL arg", async () => {
    for (const t of await readToolchains(imagesDir)) {
      expect(dockerfiles.some((d) => d.args.has(`${t.arg}_URL`)), t.arg).toBe(true);
    }
  });

  it("gives every download a checksum the Dockerfile declares, so the build can check it", async () => {
    for (const t of await readToolchains(imagesDir)) {
      if (t.apt !== undefined) continue;
      const users = dockerfiles.filter((d) => d.args.has(`${t.arg}_URL`));
      for (const d of users) expect(d.args.has(`${t.arg}_SHA256`) || d.args.has(`${t.arg}_SHA512`), `${d.name} ${t.arg}`).toBe(true);
    }
  });

  it("names each download after its version, so a version bump cannot keep the old URL", async () => {
    for (const t of await readToolchains(imagesDir)) {
      if (t.apt === undefined) expect(t.url, t.arg).toContain(t.version);
    }
  });

  it("pins Node 18, 20, 22 and 24", async () => {
    const node = (await readToolchains(imagesDir)).filter((t) => t.name === "node").map((t) => t.version.split(".")[0]);
    expect(node).toEqual(["18", "20", "22", "24"]);
  });

  it("makes Node 22 the runner image's default node, as on GitHub's ubuntu-24.04", async () => {
    const node22 = (await readToolchains(imagesDir)).find((t) => t.arg === "NODE22");
    const runner = readFileSync(path.join(imagesDir, "runner", "Dockerfile"), "utf8");
    expect(runner).toContain("ENV PATH=/opt/hostedtoolcache/node/${NODE22_VERSION}/x64/bin:");
    expect(runner).toContain('ln -s "/opt/hostedtoolcache/node/$NODE22_VERSION/x64/bin/$tool" "/usr/local/bin/$tool"');
    expect(node22?.version).toMatch(/^22\./);
  });

  it("sets ImageVersion to the version of the reference image parity compares with", () => {
    const runner = readFileSync(path.join(imagesDir, "runner", "Dockerfile"), "utf8");
    const reference = JSON.parse(readFileSync(path.join(imagesDir, "reference", "ubuntu-24.04.json"), "utf8")) as { imageVersion: string };
    expect(runner).toMatch(/^\s+ImageOS=ubuntu24 \\$/m);
    expect(runner).toContain(`ImageVersion=${reference.imageVersion}\n`);
  });

  it("pins wasm-pack 0.12.1 and a Rust toolchain", async () => {
    const byArg = new Map((await readToolchains(imagesDir)).map((t) => [t.arg, t]));
    expect(byArg.get("WASM_PACK")?.version).toBe("0.12.1");
    expect(byArg.get("RUST")?.version).toMatch(/^1\.\d+\.\d+$/);
  });
});

describe("dockerfileArgs and buildArgsFor", () => {
  const dockerfile = [
    "ARG BASE_IMAGE=replay-base:bookworm",
    "FROM ${BASE_IMAGE}",
    "ARG NODE20_VERSION=20.0.0",
    'ARG NODE20_SHA512="abc"',
    "arg LOWER",
    "RUN echo ARG NOT_AN_ARG=1",
  ].join("\n");

  it("reads names and defaults", () => {
    expect([...dockerfileArgs(dockerfile)]).toEqual([
      ["BASE_IMAGE", "replay-base:bookworm"],
      ["NODE20_VERSION", "20.0.0"],
      ["NODE20_SHA512", "abc"],
      ["LOWER", undefined],
    ]);
  });

  it("passes only the manifest values the Dockerfile declares", () => {
    const toolchains = [
      { arg: "NODE20", name: "node", version: "20.1.0", url: "https://example.com/n-20.1.0.tgz", sha512: "f".repeat(128) },
      { arg: "NODE22", name: "node", version: "22.1.0", url: "https://example.com/n-22.1.0.tgz", sha512: "e".repeat(128) },
    ];
    expect(buildArgsFor(dockerfile, toolchains)).toEqual({ NODE20_VERSION: "20.1.0", NODE20_SHA512: "f".repeat(128) });
    expect(toolchainArgs(toolchains).get("NODE22_URL")).toBe("https://example.com/n-22.1.0.tgz");
  });
});

describe("readToolchains", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "replay-toolchains-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a malformed manifest, naming the field", async () => {
    writeFileSync(
      path.join(dir, "toolchains.yml"),
      "toolchains:\n  - arg: NODE20\n    name: node\n    version: 20.1.0\n    url: https://example.com/x.tgz\n    sha512: not-hex\n",
    );
    const error = await readToolchains(dir, path.join(dir, "cache")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayError);
    expect((error as ReplayError).code).toBe("image-unavailable");
    expect((error as ReplayError).message).toMatch(/toolchains\.0\.sha512/);
  });

  it.each<[string, string]>([
    ["no checksum", ""],
    ["two checksums", `    sha256: ${"a".repeat(64)}\n    sha512: ${"b".repeat(128)}\n`],
  ])("refuses an entry with %s", async (_name, checksums) => {
    writeFileSync(path.join(dir, "toolchains.yml"), `toolchains:\n  - arg: X\n    name: x\n    version: 1.0.0\n    url: https://example.com/x-1.0.0.tgz\n${checksums}`);
    const error = await readToolchains(dir, path.join(dir, "cache")).catch((e: unknown) => e);
    expect((error as ReplayError).message).toMatch(/exactly one of sha256, sha512/);
  });

  const entry = `toolchains:\n  - arg: X\n    name: x\n    version: 1.0.0\n    url: https://example.com/x-1.0.0.tgz\n    sha256: ${"a".repeat(64)}\n`;

  it("keeps the manifest's data under its text's hash, and reads it from there the next time", async () => {
    const cache = mkdtempSync(path.join(dir, "cache-"));
    writeFileSync(path.join(dir, "toolchains.yml"), entry);
    expect((await readToolchains(dir, cache)).map((t) => t.version)).toEqual(["1.0.0"]);
    const [kept, ...more] = readdirSync(cache);
    expect(more).toEqual([]);
    expect(kept).toMatch(/^toolchains-[0-9a-f]{32}\.json$/);
    // What is kept is what is read (the YAML is not parsed again): a changed copy shows.
    const data = JSON.parse(readFileSync(path.join(cache, kept as string), "utf8")) as { toolchains: { version: string }[] };
    (data.toolchains[0] as { version: string }).version = "9.9.9";
    writeFileSync(path.join(cache, kept as string), JSON.stringify(data));
    expect((await readToolchains(dir, cache)).map((t) => t.version)).toEqual(["9.9.9"]);
    // Another text is another entry.
    writeFileSync(path.join(dir, "toolchains.yml"), entry.replaceAll("1.0.0", "1.0.1"));
    expect((await readToolchains(dir, cache)).map((t) => t.version)).toEqual(["1.0.1"]);
    expect(readdirSync(cache)).toHaveLength(2);
  });

  it("reads the text when what was kept is damaged or does not pass the schema", async () => {
    const cache = mkdtempSync(path.join(dir, "cache-"));
    writeFileSync(path.join(dir, "toolchains.yml"), entry);
    await readToolchains(dir, cache);
    const [kept] = readdirSync(cache);
    for (const damage of ['{"toolchains": [', '{"toolchains": [{"arg": "lower"}]}']) {
      writeFileSync(path.join(cache, kept as string), damage);
      expect((await readToolchains(dir, cache)).map((t) => t.arg)).toEqual(["X"]);
    }
  });

  it("still works when its cache folder cannot be made", async () => {
    writeFileSync(path.join(dir, "toolchains.yml"), entry);
    const file = path.join(dir, "not-a-folder");
    writeFileSync(file, "");
    expect((await readToolchains(dir, path.join(file, "cache"))).map((t) => t.arg)).toEqual(["X"]);
  });
});
