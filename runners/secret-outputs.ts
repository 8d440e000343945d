import type { Masker } from "./masker.js";

/**
 * A job's outputs without those that hold a secret or a masked value: as GitHub's runner
 * does, each is dropped with a warning (its wording), so a secret never leaves the job
 * through `needs.<job>.outputs`, where the jobs that read it see it empty.
 */
export function withoutSecrets(outputs: Record<string, string>, masker: Masker, warn: (message: string) => void): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(outputs)) {
    if (masker.reveals(value)) warn(`Skip output '${name}' since it may contain secret.`);
    else kept[name] = value;
  }
  return kept;
}
