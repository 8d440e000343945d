import { describe, expect, it } from "vitest";
import { ReplayError } from "../common/index.js";
import { parseWorkflow } from "../workflows/index.js";
import type { Job } from "../workflows/index.js";
import type { ImageName, ImageStatus } from "../runners/docker/index.js";
import { ImageResolver } from "./image-resolver.js";

const WORKFLOW = `on: push
jobs:
  web:
    runs-on: ubuntu-latest
    steps:
      - run: npm ci
  wasm:
    runs-on: ubuntu-latest
    steps:
      - name: Build the package
        run: wasm-pack build --target web
  lint:
    runs-on: [self-hosted, linux]
    steps:
      - run: cargo clippy
`;

function jobs(): Job[] {
  const { workflow } = parseWorkflow(".github/workflows/ci.yml", WORKFLOW);
  if (!workflow) throw new Error("the workflow does not parse");
  return workflow.jobs;
}

const OFFLINE: Partial<Record<ImageName, ImageStatus>> = {
  "wasm-pack": { name: "wasm-pack", state: "unbuildable", tag: undefined, reason: "github.com does not answer (getaddrinfo ENOTFOUND github.com)", unreachable: [] },
};

function resolver(overrides: Record<string, string> = {}): { images: ImageResolver; built: ImageName[] } {
  const built: ImageName[] = [];
  const images = new ImageResolver({
    overrides,
    build: (name) => {
      built.push(name);
      return Promise.resolve(`replay-${name}:0123456789ab`);
    },
    status: (name) => Promise.resolve(OFFLINE[name] ?? { name, state: "buildable", tag: undefined, sources: [] }),
  });
  return { images, built };
}

describe("ImageResolver.preflight", () => {
  it("refuses (exit 2) a job needing an image that cannot be built here, naming the image, why, and the command that builds it", async () => {
    const error = await resolver().images.preflight(jobs()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayError);
    const e = error as ReplayError;
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(
      "job 'wasm' needs the wasm-pack image (step 'Build the package' runs wasm-pack), which is not built on this machine and cannot be built here: github.com does not answer (getaddrinfo ENOTFOUND github.com)",
    );
    expect(e.hint).toContain("`replay images build wasm-pack`");
  });

  it("lets --image (or .replay.yml) take the job elsewhere", async () => {
    await expect(resolver({ "ubuntu-latest": "my-wasm-image" }).images.preflight(jobs())).resolves.toBeUndefined();
  });

  it("passes when the image can be built", async () => {
    const only = jobs().filter((j) => j.id !== "wasm");
    await expect(resolver().images.preflight(only)).resolves.toBeUndefined();
  });
});

describe("ImageResolver.imageFor", () => {
  it("builds the smallest image covering the job's steps, once per image", async () => {
    const { images, built } = resolver();
    const [web, , lint] = jobs();
    if (!web || !lint) throw new Error("jobs missing");
    expect(await images.imageFor(["ubuntu-latest"], web)).toBe("replay-runner:0123456789ab");
    expect(await images.imageFor(["self-hosted", "linux"], lint)).toBe("replay-rust:0123456789ab");
    expect(await images.imageFor(["self-hosted", "linux"], lint)).toBe("replay-rust:0123456789ab");
    expect(built).toEqual(["runner", "rust"]);
  });

  it("answers an image that is here from its status, asked once per image (preflight asks ahead), without building it", async () => {
    const asked: ImageName[] = [];
    const built: ImageName[] = [];
    const images = new ImageResolver({
      overrides: {},
      build: (name) => {
        built.push(name);
        return Promise.resolve(`replay-${name}:built`);
      },
      status: (name) => {
        asked.push(name);
        return Promise.resolve({ name, state: "present", tag: `replay-${name}:here`, plan: {} as never });
      },
    });
    const [web] = jobs();
    if (!web) throw new Error("job missing");
    await images.preflight([web]);
    expect(asked).toEqual(["runner"]);
    expect(await images.imageFor(["ubuntu-latest"], web)).toBe("replay-runner:here");
    expect(await images.presentImageFor(["ubuntu-latest"], web)).toBe("replay-runner:here");
    expect(asked).toEqual(["runner"]);
    expect(built).toEqual([]);
  });

  it("prefers an override for any of the labels", async () => {
    const [, , lint] = jobs();
    if (!lint) throw new Error("job missing");
    expect(await resolver({ "self-hosted": "mine:1" }).images.imageFor(["self-hosted", "linux"], lint)).toBe("mine:1");
  });

  it("refuses Windows and macOS runners", async () => {
    const [web] = jobs();
    if (!web) throw new Error("job missing");
    await expect(resolver().images.imageFor(["windows-latest"], web)).rejects.toThrow(/not replayed here: Windows runner \('windows-latest'\)/);
  });
});
