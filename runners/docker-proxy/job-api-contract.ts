import type { EngineClient } from "./engine-client.js";

// What a job's scoped API (job-docker-api.ts) and the run's (run-docker-api.ts) know of
// each other, apart from both: the run's makes the job's, which must not import it back.

export interface JobDockerApiRequest {
  /** Host path of the socket to serve, inside the folder bound into the job container. */
  socketPath: string;
  /** Where the job container sees it (DOCKER_HOST's path): a mount of it is a mount of the socket. */
  socketPathInJob?: string;
  jobKey: string;
  jobContainerId: string;
  /** The run's labels and the job's: everything the job creates carries them. */
  labels: Record<string, string>;
  /** A note for the job's log (a port that could not be forwarded). */
  log?: (message: string) => void;
}

export interface JobDockerApiHandle {
  /** Stops serving; removes the containers, networks and volumes the job created unless told not to. */
  close(o: { removeCreated: boolean }): Promise<void>;
}

/** What a job's scoped API shares with the run's: the engine, the run's id, the tags its jobs take. */
export interface RunDockerApiShare {
  readonly engine: EngineClient;
  readonly runId: string;
  readonly allowPrivileged: boolean;
  /** Set once any job's step called the API. */
  used: boolean;
  /** Remembers what a tag named before a job's build or `docker tag` moves it. */
  takeTag(ref: string): Promise<void>;
  tookTag(ref: string): boolean;
}
