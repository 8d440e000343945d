import type Docker from "dockerode";

/** How long a stopped container may take to be gone before it is removed by force. */
const GONE_WITHIN_MS = 10_000;

/** The job containers told to stop, whose removal the engine is doing: what waits for it. */
export class Removals {
  private readonly waits = new Map<string, AbortController>();

  /** Waits (until `release`) for the container to be removed; by force after GONE_WITHIN_MS. */
  watch(container: Docker.Container, force: () => Promise<void>): Promise<void> {
    const abort = new AbortController();
    this.waits.set(container.id, abort);
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      abort.abort();
    }, GONE_WITHIN_MS);
    timer.unref();
    return container
      .wait({ condition: "removed", abortSignal: abort.signal })
      .then(
        () => undefined,
        async () => {
          // 404: gone already. Aborted: released (the run is over), or late.
          if (late) await force();
        },
      )
      .finally(() => {
        clearTimeout(timer);
        this.waits.delete(container.id);
      });
  }

  /**
   * Stops waiting for the containers being removed (a replay that is over has no slot to
   * free): the engine goes on removing them after replay exits. Answers their ids.
   */
  release(): string[] {
    const ids = [...this.waits.keys()];
    for (const abort of this.waits.values()) abort.abort();
    return ids;
  }
}
