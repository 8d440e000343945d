import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

const LIST = {
  containers: ["ps", "-aq"],
  networks: ["network", "ls", "-q"],
  volumes: ["volume", "ls", "-q"],
} as const;
export type EngineKind = keyof typeof LIST;

/** What is on the engine now with one of the labels (`dev.replay.run`, `dev.replay.run=<id>`). */
export function labelledNow(labels: readonly string[], kind: EngineKind = "containers"): string {
  return labels.map((label) => execFileSync("docker", [...LIST[kind], "--filter", `label=${label}`], { encoding: "utf8" }).trim()).join("");
}

/**
 * What replays left with one of the labels, once the engine is done removing the job
 * containers they stopped as they ended: replay exits without waiting for that removal
 * (~0.2 s; runners/docker/docker-job-container.ts). Polled for up to 10 s; whatever is
 * still there then is a leak.
 */
export async function leftAfterRemoval(labels: readonly string[], kind: EngineKind = "containers"): Promise<string> {
  const until = Date.now() + 10_000;
  for (;;) {
    const left = labelledNow(labels, kind);
    if (left === "" || Date.now() > until) return left;
    await sleep(100);
  }
}
