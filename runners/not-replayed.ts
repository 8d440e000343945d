// Jobs replay cannot run at all (a macOS or Windows runner) are "not replayed": a result
// of their own, which leaves the exit status alone unless --strict asks otherwise.
import { ReplayError } from "../common/index.js";
import type { ForeignSystem } from "../workflows/index.js";
import type { JobResult } from "./events.js";

/** Thrown by an image lookup for a runner no Linux container can be: the job is not replayed. */
export class NotReplayedError extends ReplayError {
  constructor(
    readonly label: string,
    readonly system: ForeignSystem,
  ) {
    super("image-unavailable", `not replayed here: ${system} runner ('${label}')`, {
      hint: `run it in a Linux image anyway with --image ${label}=<image> if its steps can run there`,
      exitCode: 1,
    });
  }
}

/** Why a job that needs a job that was not replayed is not replayed either. */
export const notReplayedNeed = (need: string): string => `not replayed here: it needs '${need}', which was not replayed`;

/**
 * One result for several (a job's matrix cells, a called workflow's jobs): a failure or
 * a cancellation first; then "not-replayed" when some were not replayed, since what
 * depends on the whole cannot be known; "skipped" when every one was; else success.
 */
export function combinedResult(results: readonly JobResult[]): JobResult {
  if (results.includes("failure")) return "failure";
  if (results.includes("cancelled")) return "cancelled";
  if (results.includes("not-replayed")) return "not-replayed";
  return results.every((r) => r === "skipped") ? "skipped" : "success";
}
