import { BugError } from "../../common/index.js";
import type { ToolchainKind, ToolchainNeeds } from "../../workflows/index.js";

// replay's image family. Each layer is built FROM its parent, so an image has everything
// its ancestors have; a job gets the smallest image that covers what its steps need.

export const IMAGE_NAMES = ["runner", "rust", "wasm-pack", "trivy", "browsers", "go", "java"] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

export interface ImageLayer {
  /** The image it is built FROM; undefined for runner, built FROM the base image. */
  parent: ImageName | undefined;
  /** The toolchains this layer adds (Node and the build tools are in runner, so in all of them). */
  adds: readonly ToolchainKind[];
}

export const IMAGE_LAYERS: Readonly<Record<ImageName, ImageLayer>> = {
  runner: { parent: undefined, adds: [] },
  rust: { parent: "runner", adds: ["rust"] },
  "wasm-pack": { parent: "rust", adds: ["wasm-pack"] },
  trivy: { parent: "runner", adds: ["trivy"] },
  browsers: { parent: "runner", adds: ["browsers"] },
  go: { parent: "runner", adds: ["go"] },
  java: { parent: "runner", adds: ["java"] },
};

export function isImageName(name: string): name is ImageName {
  return (IMAGE_NAMES as readonly string[]).includes(name);
}

/** The image and its ancestors, the image first. */
export function imageChain(name: ImageName): ImageName[] {
  const chain: ImageName[] = [];
  for (let n: ImageName | undefined = name; n !== undefined; n = IMAGE_LAYERS[n].parent) chain.push(n);
  return chain;
}

/** Every toolchain an image has, its ancestors' included. */
export function imageToolchains(name: ImageName): ToolchainKind[] {
  return imageChain(name).flatMap((n) => IMAGE_LAYERS[n].adds);
}

export interface ImageChoice {
  image: ImageName;
  /** What the job needs that no single image has (the job may fail on those steps). */
  uncovered: ToolchainKind[];
  /** One line for the user: why this image. */
  reason: string;
}

/**
 * The smallest image covering every needed toolchain: fewest layers first, then the
 * order of IMAGE_NAMES. When no image covers them all (Rust and browsers, say), the one
 * covering most, and `uncovered` names the rest.
 */
export function chooseImage(needs: Pick<ToolchainNeeds, "toolchains" | "reasons">): ImageChoice {
  const ranked = [...IMAGE_NAMES]
    .map((image, order) => {
      const has = imageToolchains(image);
      const uncovered = needs.toolchains.filter((t) => !has.includes(t));
      return { image, order, uncovered, depth: imageChain(image).length };
    })
    .sort((a, b) => a.uncovered.length - b.uncovered.length || a.depth - b.depth || a.order - b.order);
  const best = ranked[0];
  if (best === undefined) throw new BugError("no images are defined");
  const why = needs.reasons
    .filter((r) => imageToolchains(best.image).includes(r.toolchain) && IMAGE_LAYERS[best.image].adds.length > 0)
    .map((r) => `step '${r.step}' ${r.why}`);
  const reason = best.image === "runner" ? "no step needs more than Node" : [...new Set(why)].join("; ");
  return { image: best.image, uncovered: best.uncovered, reason };
}
