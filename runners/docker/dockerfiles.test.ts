import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findPackageRoot } from "./image-builder.js";
import { IMAGE_LAYERS, IMAGE_NAMES } from "./image-choice.js";
import { dockerfileArgs, readToolchains } from "./toolchains.js";

// The Dockerfiles of images that cannot be built on this machine (wasm-pack and Trivy
// download from GitHub) are checked here for what a build would rely on.

const imagesDir = path.join(findPackageRoot(), "images");
const folder = (name: string): string => path.join(imagesDir, name);
const dockerfile = (name: string): string => readFileSync(path.join(folder(name), "Dockerfile"), "utf8");
/** The Dockerfile and the scripts it copies in: where a download may be checked. */
const buildText = (name: string): string =>
  readdirSync(folder(name))
    .filter((f) => f === "Dockerfile" || f.endsWith(".sh"))
    .map((f) => readFileSync(path.join(folder(name), f), "utf8"))
    .join("\n");

describe.each(IMAGE_NAMES.map((name) => [name]))("images/%s/Dockerfile", (name) => {
  const text = dockerfile(name);
  const instructions = text.split("\n").filter((l) => /^[A-Z]+\s/.test(l));

  it("is built FROM its parent layer, named by the BASE_IMAGE build arg", () => {
    const parent = IMAGE_LAYERS[name].parent;
    expect(dockerfileArgs(text).get("BASE_IMAGE")).toBe(parent === undefined ? "replay-base:bookworm" : `replay-${parent}`);
    const froms = instructions.filter((l) => l.startsWith("FROM "));
    expect(froms).toEqual(["FROM ${BASE_IMAGE}"]);
    expect(instructions[0]).toBe(`ARG BASE_IMAGE=${dockerfileArgs(text).get("BASE_IMAGE") ?? ""}`);
  });

  it("uses nothing the classic builder lacks (no RUN --mount, no heredocs)", () => {
    const code = text.split("\n").filter((l) => !l.trimStart().startsWith("#")).join("\n");
    expect(code).not.toMatch(/RUN\s+--mount|<<-?\s*['"]?[A-Z]+/);
  });

  it("checks every download against the manifest's checksum before using it", async () => {
    const args = dockerfileArgs(text);
    const body = buildText(name);
    for (const t of await readToolchains(imagesDir)) {
      if (!args.has(`${t.arg}_URL`) || t.apt !== undefined) continue;
      const algorithm = t.sha256 !== undefined ? "sha256" : "sha512";
      expect(args.get(`${t.arg}_SHA${algorithm.slice(3)}`), `${t.arg} checksum ARG`).toBe(t.sha256 ?? t.sha512);
      expect(body, `${name} checks with ${algorithm}sum`).toMatch(new RegExp(`${algorithm}sum -c`));
      expect(body, `${name} uses ${t.arg}_SHA`).toMatch(new RegExp(`\\$\\{?${t.arg}_SHA|"\\$[0-9]"`));
    }
  });

  it("records what it installed for `replay images ls`", () => {
    expect(buildText(name)).toContain("/etc/replay/toolchains.d/");
  });
});

describe("the images replay cannot build offline", () => {
  it.each([
    ["wasm-pack", "WASM_PACK", "https://github.com/"],
    ["trivy", "TRIVY", "https://github.com/"],
  ])("%s downloads its pinned release from GitHub and fails the build on a checksum mismatch", (name, arg, host) => {
    const text = dockerfile(name);
    expect(dockerfileArgs(text).get(`${arg}_URL`)).toMatch(new RegExp(`^${host}`));
    expect(text).toContain(`curl -fsSL --retry 5 --retry-delay 2 -o "$work/`);
    expect(text).toMatch(new RegExp(`printf '%s  %s\\\\n' "\\$${arg}_SHA256" "\\$work/[a-z-]+\\.tar\\.gz" \\| sha256sum -c --quiet -; then`));
    expect(text).toMatch(/exit 1; \\/);
  });
});
