import { EngineClient } from "./engine-client.js";
import type { EngineAddress } from "./engine-client.js";
import { JobDockerApi } from "./job-docker-api.js";
import type { JobDockerApiHandle, JobDockerApiRequest, RunDockerApiShare } from "./job-api-contract.js";
import { BUILT_BY_RUN_LABEL } from "./scope-policy.js";

export type { JobDockerApiHandle, JobDockerApiRequest } from "./job-api-contract.js";

/** The file the job's API listens on, in the job's runner-files folder. */
export const DOCKER_API_SOCKET = "docker.sock";

/** What a job's steps get so that `docker` talks to its scoped API. */
export function dockerApiEnv(fileCommandsDir: string): Record<string, string> {
  return {
    DOCKER_HOST: `unix://${fileCommandsDir}/${DOCKER_API_SOCKET}`,
    // The scoped API labels what a build makes through /build's parameters; BuildKit's
    // sessions would bypass them, so docker and compose use the classic builder.
    DOCKER_BUILDKIT: "0",
  };
}

/** How the engine gives each job its scoped Docker API (undefined: jobs get none). */
export interface DockerApiForJobs {
  openForJob(request: JobDockerApiRequest): Promise<JobDockerApiHandle>;
}

/** Normalised image reference for comparing tags: `app` is `app:latest`. */
export function normaliseTag(ref: string): string {
  if (ref.includes("@")) return ref;
  const last = ref.slice(ref.lastIndexOf("/") + 1);
  return last.includes(":") ? ref : `${ref}:latest`;
}

/**
 * A run's share of the scoped Docker API: the engine connection, the images its jobs built
 * and the tags they took (restored at the end, so `docker build -t app .` in a job does not
 * leave the user's own `app` pointing at the job's image).
 */
export class RunDockerApi implements DockerApiForJobs, RunDockerApiShare {
  readonly engine: EngineClient;
  /** tag -> the image it named before the run took it (null: it named none). */
  private readonly tagsTaken = new Map<string, string | null>();
  /** Whether any job's step called the API: a run whose steps never did built no image. */
  used = false;

  constructor(
    address: EngineAddress,
    readonly runId: string,
    readonly allowPrivileged: boolean,
  ) {
    this.engine = new EngineClient(address);
  }

  async openForJob(request: JobDockerApiRequest): Promise<JobDockerApiHandle> {
    const api = new JobDockerApi(this, request);
    await api.listen();
    return api;
  }

  /** Remembers what a tag named before a job's build or `docker tag` moves it. */
  async takeTag(ref: string): Promise<void> {
    const tag = normaliseTag(ref);
    if (this.tagsTaken.has(tag)) return;
    const previous = await this.engine.json<{ Id: string; Config?: { Labels?: Record<string, string> | null } }>("GET", `/images/${tag}/json`);
    const ours = previous?.Config?.Labels?.[BUILT_BY_RUN_LABEL] === this.runId;
    this.tagsTaken.set(tag, previous && !ours ? previous.Id : null);
  }

  tookTag(ref: string): boolean {
    return this.tagsTaken.has(normaliseTag(ref));
  }

  /**
   * At the run's end: every tag a job took from an image it did not build goes back to that
   * image; unless `--keep-images`, the tags it made go and the images the run built are
   * removed. Answers how many images went.
   */
  async finish(o: { keepImages: boolean }): Promise<number> {
    let removed = 0;
    try {
      // Most runs: nothing to look for (a query of the engine's images, 15–30 ms, saved).
      if (!this.used) return 0;
      for (const [tag, previous] of this.tagsTaken) {
        const colon = tag.lastIndexOf(":");
        if (previous) {
          await this.engine.call("POST", `/images/${previous}/tag?${new URLSearchParams({ repo: tag.slice(0, colon), tag: tag.slice(colon + 1) }).toString()}`);
        } else if (!o.keepImages) {
          // Untag only: a tag a job put on an image it did not build, and that image's only
          // name, stays (removing it would remove the image).
          const now = await this.engine.json<{ RepoTags?: string[] | null; Config?: { Labels?: Record<string, string> | null } }>("GET", `/images/${tag}/json`);
          const built = now?.Config?.Labels?.[BUILT_BY_RUN_LABEL] === this.runId;
          if (now && (built || (now.RepoTags?.length ?? 0) > 1)) await this.engine.call("DELETE", `/images/${tag}`);
        }
      }
      if (o.keepImages) return 0;
      const filters = JSON.stringify({ label: [`${BUILT_BY_RUN_LABEL}=${this.runId}`] });
      // An image built FROM another of the run's goes first: a few passes settle the order.
      for (let pass = 0; pass < 3; pass++) {
        const images = (await this.engine.json<{ Id: string }[]>("GET", `/images/json?${new URLSearchParams({ filters }).toString()}`)) ?? [];
        if (!images.length) break;
        for (const image of images) {
          const answer = await this.engine.call("DELETE", `/images/${image.Id}?force=1`);
          if (answer.status < 300) removed++;
        }
      }
      return removed;
    } finally {
      this.engine.close();
    }
  }
}
