import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ReplayError } from "../../common/index.js";
import { findPackageRoot } from "./image-builder.js";
import { buildArgsFor, dockerfileArgs, readToolchains, toolchainArgs } from "./toolchains.js";

const imagesDir = path.join(findPackageRoot(), "images");

describe("images/toolchains.yml", () => {
  it("agrees with the ARG defaults of the runner Dockerfile, so a plain docker build gives the same image", async () => {
    const toolchains = await readToolchains(imagesDir);
    const declared = dockerfileArgs(readFileSync(path.join(imagesDir, "runner", "Dockerfile"), "utf8"));
    const mismatches: string[] = [];
    for (const t of toolchains) {
      for (const [name, value] of [
        [`${t.arg}_URL`, t.url],
        [`${t.arg}_SHA512`, t.sha512],
      ] as const) {
        if (declared.get(name) !== value) mismatches.push(`${name}: manifest ${value}, Dockerfile ${String(declared.get(name))}`);
      }
      const version = declared.get(`${t.arg}_VERSION`);
      if (version !== undefined && version !== t.version) mismatches.push(`${t.arg}_VERSION: manifest ${t.version}, Dockerfile ${version}`);
    }
    expect(mismatches).toEqual([]);
  });

  it("names each download after its version, so a version bump cannot keep the old URL", async () => {
    for (const t of await readToolchains(imagesDir)) {
      expect(t.url, t.arg).toContain(`-${t.version}.tgz`);
    }
  });

  it("pins Node 18 and Node 20", async () => {
    const node = (await readToolchains(imagesDir)).filter((t) => t.name === "node").map((t) => t.version.split(".")[0]);
    expect(node).toEqual(["18", "20"]);
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
    const error = await readToolchains(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayError);
    expect((error as ReplayError).code).toBe("image-unavailable");
    expect((error as ReplayError).message).toMatch(/toolchains\.0\.sha512/);
  });
});
