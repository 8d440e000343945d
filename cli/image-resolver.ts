import { foreignRunner, literalLabels, toolchainNeeds } from "../workflows/index.js";
import type { Job } from "../workflows/index.js";
import { ImageNotBuildableError, chooseImage } from "../runners/docker/index.js";
import { NotReplayedError } from "../runners/index.js";
import type { ImageChoice, ImageName, ImageStatus } from "../runners/docker/index.js";

export interface ImageResolverDeps {
  /** runs-on label -> image: --image and .replay.yml's images. */
  overrides: Record<string, string>;
  /** Builds (or finds) one of replay's images; answers its tag. */
  build: (name: ImageName) => Promise<string>;
  /** Whether one of replay's images is there or can be built, without building it. */
  status: (name: ImageName) => Promise<ImageStatus>;
  /** Tells the user something worth knowing about an image choice. */
  notice?: (message: string) => void;
}

/**
 * Picks each job's image: `--image label=image` (or .replay.yml) for a label of its
 * `runs-on` first; else the smallest of replay's images that has what the job's steps
 * need (runners/docker/image-choice.ts). Windows and macOS runners cannot be replayed in
 * a Linux container: their jobs are "not replayed", and saying so beats pretending.
 */
export class ImageResolver {
  private readonly built = new Map<ImageName, Promise<string>>();
  private readonly statuses = new Map<ImageName, Promise<ImageStatus>>();
  private readonly noticed = new Set<string>();

  constructor(private readonly deps: ImageResolverDeps) {}

  choose(job: Pick<Job, "steps">): ImageChoice {
    return chooseImage(toolchainNeeds(job));
  }

  async imageFor(labels: string[], job: Pick<Job, "id" | "steps">): Promise<string> {
    const override = this.override(labels);
    if (override !== undefined) return override;
    const foreign = foreignRunner(labels);
    if (foreign) throw new NotReplayedError(foreign.label, foreign.system);
    const choice = this.choose(job);
    if (choice.uncovered.length && !this.noticed.has(job.id)) {
      this.noticed.add(job.id);
      this.deps.notice?.(
        `job '${job.id}' needs ${choice.uncovered.join(" and ")} too, which the ${choice.image} image does not have (no image has all of them); those steps may fail`,
      );
    }
    // Asked already (preflight asks for every job's image): a present image needs no build.
    const status = await this.statusOf(choice.image).catch(() => undefined);
    if (status?.state === "present") return status.tag;
    let p = this.built.get(choice.image);
    if (!p) {
      p = this.deps.build(choice.image);
      this.built.set(choice.image, p);
    }
    return p;
  }

  /**
   * The image as imageFor would answer it, but only when it is on this machine already
   * (an override is taken as it is): a warm start never builds an image for a job that
   * may not run.
   */
  async presentImageFor(labels: string[], job: Pick<Job, "id" | "steps">): Promise<string | undefined> {
    const override = this.override(labels);
    if (override !== undefined) return override;
    if (foreignRunner(labels)) return undefined;
    const choice = this.choose(job);
    const status = await this.statusOf(choice.image).catch(() => undefined);
    return status?.state === "present" ? this.imageFor(labels, job) : undefined;
  }

  /**
   * Before anything runs: refuses (a ReplayError, exit 2) when a job needs one of replay's
   * images that is not on this machine and cannot be built here. Jobs whose runs-on is an
   * expression are checked unless an override could apply to them. The runner image can
   * always be built: its status is only asked for, ahead of the jobs that will want it.
   */
  async preflight(jobs: readonly Pick<Job, "id" | "steps" | "runsOn">[]): Promise<void> {
    for (const job of jobs) {
      if (job.steps.length === 0) continue;
      const labels = literalLabels(job.runsOn);
      if (labels === undefined ? Object.keys(this.deps.overrides).length > 0 : this.override(labels) !== undefined) continue;
      if (labels !== undefined && foreignRunner(labels)) continue;
      const choice = this.choose(job);
      if (choice.image === "runner") {
        this.statusOf(choice.image).catch(() => undefined);
        continue;
      }
      const status = await this.statusOf(choice.image);
      if (status.state === "unbuildable") {
        throw new ImageNotBuildableError(choice.image, status.reason, `job '${job.id}' needs the ${choice.image} image (${choice.reason})`);
      }
    }
  }

  /**
   * Tells `use` the image of each job whose runs-on is literal and whose image is on this
   * machine already, as each is known: a head start for what the jobs will ask of it.
   */
  whenPresent(jobs: readonly Pick<Job, "id" | "steps" | "runsOn">[], use: (image: string) => void): void {
    for (const job of jobs) {
      const labels = job.steps.length === 0 ? undefined : literalLabels(job.runsOn);
      if (labels === undefined) continue;
      void this.presentImageFor(labels, job)
        .then((image) => image !== undefined && use(image))
        .catch(() => undefined);
    }
  }

  /** deps.status, asked once per image and run. */
  private statusOf(name: ImageName): Promise<ImageStatus> {
    let p = this.statuses.get(name);
    if (!p) {
      p = this.deps.status(name);
      this.statuses.set(name, p);
    }
    return p;
  }

  private override(labels: readonly string[]): string | undefined {
    for (const l of labels) {
      const o = this.deps.overrides[l];
      if (o) return o;
    }
    return undefined;
  }
}
