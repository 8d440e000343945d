import type { JobState } from "../../runners/index.js";

/**
 * The run summary's word on the jobs that were not replayed (macOS and Windows runners,
 * and the jobs that need them): how many, and the --image flags that would run them in
 * a Linux image anyway. undefined when every job was replayed.
 */
export function notReplayedHint(jobs: readonly JobState[]): { count: number; hint: string } | undefined {
  const left = jobs.filter((j) => j.status === "not-replayed");
  if (left.length === 0) return undefined;
  const labels = [...new Set(left.flatMap((j) => (j.runner === undefined ? [] : [j.runner])))];
  const flags = labels.map((l) => `--image ${l}=<image>`).join(" ");
  const hint = `${left.length} job(s) not replayed (they need a macOS or Windows runner); ${flags ? `${flags} runs them in a Linux image anyway, ` : ""}--strict fails them`;
  return { count: left.length, hint };
}
