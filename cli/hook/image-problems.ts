import { toolchainNeeds } from "../../workflows/index.js";
import type { Job } from "../../workflows/index.js";
import { chooseImage } from "../../runners/docker/index.js";
import type { ImageName, ImageStatus } from "../../runners/docker/index.js";

/**
 * Which jobs need one of replay's images that is neither on this machine nor buildable
 * here (its sources do not answer), each with the reason. The runner image is always
 * buildable from the base image, so only the toolchain images are looked at, and only
 * those the jobs need.
 */
export async function imageProblemsOf(
  jobs: readonly Job[],
  status: (name: ImageName) => Promise<ImageStatus>,
): Promise<(job: Job) => string | undefined> {
  const imageOf = (job: Job): ImageName => chooseImage(toolchainNeeds(job)).image;
  const wanted = new Set(jobs.filter((j) => j.uses === undefined && j.steps.length > 0).map(imageOf));
  wanted.delete("runner");
  const statuses = new Map<ImageName, ImageStatus>();
  for (const name of wanted) statuses.set(name, await status(name));
  return (job) => {
    if (job.uses !== undefined) return undefined;
    const s = statuses.get(imageOf(job));
    return s?.state === "unbuildable" ? `needs the ${s.name} image, which is not here and cannot be built here (${s.reason})` : undefined;
  };
}
