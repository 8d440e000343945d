import os from "node:os";

// Every container, network and volume replay creates carries these labels, so that the
// reaper can tell leftovers of dead runs from resources of runs still going.
export const LABEL_PREFIX = "dev.replay";
export const RUN_LABEL = "dev.replay.run";
export const PID_LABEL = "dev.replay.pid";
export const HOST_LABEL = "dev.replay.host";
export const STARTED_LABEL = "dev.replay.started";
/**
 * replay's tool cache volume (Node releases installed on demand): a cache kept between
 * replays like the action cache, so it has no run label and neither a run's clean-up nor
 * `replay gc` removes it.
 */
export const TOOL_CACHE_LABEL = "dev.replay.tool-cache";

export type RunLabels = Record<
  typeof RUN_LABEL | typeof PID_LABEL | typeof HOST_LABEL | typeof STARTED_LABEL,
  string
>;

export function runLabels(runId: string, startedAt: Date = new Date()): RunLabels {
  return {
    [RUN_LABEL]: runId,
    [PID_LABEL]: String(process.pid),
    [HOST_LABEL]: os.hostname(),
    [STARTED_LABEL]: startedAt.toISOString(),
  };
}
