import type Docker from "dockerode";
import { totalCounts } from "./parity-compare.js";
import type { ParityCounts, ParitySection } from "./parity-compare.js";
import { probeImage } from "./parity-probe.js";
import { paritySections, planParity, readParityReference, readParitySpec } from "./parity-spec.js";

export interface ParityReport {
  image: string;
  reference: { image: string; imageVersion: string; source: string };
  totals: ParityCounts;
  sections: ParitySection[];
}

/** `image` (a tag) compared with GitHub's reference image, reading versions inside it. */
export async function imageParity(docker: Docker, image: string, imagesDir: string): Promise<ParityReport> {
  const [reference, spec] = await Promise.all([readParityReference(imagesDir), readParitySpec(imagesDir)]);
  const plan = planParity(reference, spec);
  const sections = paritySections(plan, await probeImage(docker, image, plan));
  return { image, reference: { image: reference.image, imageVersion: reference.imageVersion, source: reference.source }, totals: totalCounts(sections), sections };
}
