import { describe, expect, it } from "vitest";
import type { ToolchainKind } from "../../workflows/index.js";
import { IMAGE_LAYERS, IMAGE_NAMES, chooseImage, imageChain, imageToolchains } from "./image-choice.js";
import type { ImageName } from "./image-choice.js";

const needs = (toolchains: ToolchainKind[]): Parameters<typeof chooseImage>[0] => ({
  toolchains,
  reasons: toolchains.map((t) => ({ toolchain: t, step: `step ${t}`, why: `needs ${t}` })),
});

describe("chooseImage", () => {
  it.each<[string, ToolchainKind[], ImageName, ToolchainKind[]]>([
    ["nothing but Node: runner", [], "runner", []],
    ["Rust: rust, not wasm-pack", ["rust"], "rust", []],
    ["wasm-pack (with Rust): wasm-pack", ["rust", "wasm-pack"], "wasm-pack", []],
    ["Trivy: trivy", ["trivy"], "trivy", []],
    ["Playwright: browsers", ["browsers"], "browsers", []],
    ["Go: go", ["go"], "go", []],
    ["Java: java", ["java"], "java", []],
    ["Rust and browsers: no image has both, the smaller covering one is taken", ["rust", "browsers"], "rust", ["browsers"]],
    ["wasm-pack and Trivy: wasm-pack covers more", ["rust", "wasm-pack", "trivy"], "wasm-pack", ["trivy"]],
  ])("%s", (_name, toolchains, image, uncovered) => {
    const choice = chooseImage(needs(toolchains));
    expect({ image: choice.image, uncovered: choice.uncovered }).toEqual({ image, uncovered });
  });

  it("says which step made the choice", () => {
    expect(chooseImage(needs(["trivy"])).reason).toBe("step 'step trivy' needs trivy");
  });
});

describe("the layers", () => {
  it("stack: wasm-pack on rust on runner, and every image has what its ancestors have", () => {
    expect(imageChain("wasm-pack")).toEqual(["wasm-pack", "rust", "runner"]);
    expect(imageToolchains("wasm-pack")).toEqual(["wasm-pack", "rust"]);
    for (const name of IMAGE_NAMES) expect(imageChain(name).at(-1)).toBe("runner");
  });

  it("has no cycle and names only known parents", () => {
    for (const name of IMAGE_NAMES) {
      const parent = IMAGE_LAYERS[name].parent;
      if (parent !== undefined) expect(IMAGE_NAMES).toContain(parent);
      expect(imageChain(name).length).toBeLessThanOrEqual(IMAGE_NAMES.length);
    }
  });
});
