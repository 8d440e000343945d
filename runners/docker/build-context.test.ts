import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import type { ContextFile } from "./build-context.js";
import { contextHash, readContextDir, tarContext } from "./build-context.js";

const file = (p: string, content: string, mode = 0o644): ContextFile => ({ path: p, mode, content: Buffer.from(content) });
const base = {
  files: [file("Dockerfile", "FROM x\n"), file("extra-ca.crt", "")],
  buildArgs: { NODE20_VERSION: "20.1.0" },
  baseImageId: "sha256:aaa",
};

describe("contextHash", () => {
  it("is the same for the same inputs, whatever the file order", () => {
    expect(contextHash(base)).toBe(contextHash({ ...base, files: [...base.files].reverse() }));
    expect(contextHash(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<[string, Parameters<typeof contextHash>[0]]>([
    ["the Dockerfile changes", { ...base, files: [file("Dockerfile", "FROM y\n"), file("extra-ca.crt", "")] }],
    ["a CA certificate is added", { ...base, files: [file("Dockerfile", "FROM x\n"), file("extra-ca.crt", "-----BEGIN CERTIFICATE-----")] }],
    ["a script becomes executable", { ...base, files: [file("Dockerfile", "FROM x\n"), file("extra-ca.crt", "", 0o755)] }],
    ["a pin moves", { ...base, buildArgs: { NODE20_VERSION: "20.2.0" } }],
    ["the base image is rebuilt", { ...base, baseImageId: "sha256:bbb" }],
    ["bytes move between a file name and its content", { ...base, files: [file("Dockerfile", "FROM x\nextra-ca.crt"), file("", "")] }],
  ])("changes when %s", (_name, changed) => {
    expect(contextHash(changed)).not.toBe(contextHash(base));
  });
});

describe("readContextDir and tarContext", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "replay-context-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a folder recursively and packs it as tar the engine can read", async () => {
    writeFileSync(path.join(dir, "Dockerfile"), "FROM x\n");
    mkdirSync(path.join(dir, "scripts"));
    writeFileSync(path.join(dir, "scripts", "setup.sh"), "#!/bin/sh\n");
    chmodSync(path.join(dir, "scripts", "setup.sh"), 0o775);

    const files = await readContextDir(dir);
    expect(files.map((f) => [f.path, f.mode.toString(8)])).toEqual([
      ["Dockerfile", "644"],
      ["scripts/setup.sh", "755"],
    ]);

    const chunks: Buffer[] = [];
    for await (const chunk of tarContext(files)) chunks.push(chunk as Buffer);
    const listing = execFileSync("tar", ["-tvf", "-"], { input: Buffer.concat(chunks) }).toString();
    expect(listing).toMatch(/-rw-r--r-- .* Dockerfile/);
    expect(listing).toMatch(/-rwxr-xr-x .* scripts\/setup\.sh/);
  });
});
