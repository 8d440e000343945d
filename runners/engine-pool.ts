// The engines one replay spreads its jobs over (`--engine`, `.replay.yml` engines:), each
// with its job slots. A job cell takes a slot of the engine with the most free ones and
// runs there with everything it starts: its container, services, the containers its steps
// start through its Docker API. One engine with --parallel slots is the plain replay.
import type { Job } from "../workflows/index.js";
import type { JobRunDeps } from "./job/index.js";

/** What differs from one engine to another for the jobs that run on it. */
export type EngineDeps = Partial<Pick<JobRunDeps, "runtime" | "imageEnv" | "imageUser" | "dockerApi" | "runnerSizing" | "actions" | "actionRuntimeEnv" | "oidcEnv">>;

export interface JobEngine {
  /** How the user named it (a Docker context, a URL), as events and errors say it. */
  name: string;
  slots: number;
  deps: EngineDeps;
  /** The image for a job's runs-on labels on this engine (built there when missing). */
  imageFor: (labels: string[], job: Job) => Promise<string>;
  /** The image imageFor would answer, only if it is on this engine already. */
  presentImageFor?: (labels: string[], job: Job) => Promise<string | undefined>;
  /** Whether the engine still answers (asked when a job on it fails). */
  answers?: () => Promise<boolean>;
}

/** Slots over several engines: a task runs on the engine with the most free slots, or waits in order for the first freed. */
export class EnginePool {
  private readonly active: number[];
  private readonly waiting: ((engine: number) => void)[] = [];
  /** Engines that stopped answering: no job is started on them while another is left. */
  private readonly lost = new Set<number>();

  constructor(readonly engines: readonly JobEngine[]) {
    this.active = engines.map(() => 0);
  }

  /** Slots free now, on every engine together (none while tasks wait). */
  get free(): number {
    if (this.waiting.length) return 0;
    return this.engines.reduce((n, e, i) => n + Math.max(0, e.slots - (this.active[i] ?? 0)), 0);
  }

  private get allLost(): boolean {
    return this.lost.size === this.engines.length;
  }

  /**
   * An engine that stopped answering takes no more jobs. When every engine is lost, the
   * jobs still waiting go to one anyway, to fail at once rather than wait for ever.
   */
  lose(engine: JobEngine): void {
    const i = this.engines.indexOf(engine);
    if (i < 0 || this.lost.has(i)) return;
    this.lost.add(i);
    if (this.allLost) for (const next of this.waiting.splice(0)) next(i);
  }

  isLost(engine: JobEngine): boolean {
    return this.lost.has(this.engines.indexOf(engine));
  }

  /** Slots free now on one engine (none while tasks wait, or when it is lost and another is not). */
  freeOn(engine: JobEngine): number {
    const i = this.engines.indexOf(engine);
    if (i < 0 || this.waiting.length || (this.lost.has(i) && !this.allLost)) return 0;
    return Math.max(0, engine.slots - (this.active[i] ?? 0));
  }

  /** The engine a task would run on now, if one has a free slot. */
  freestEngine(): JobEngine | undefined {
    const i = this.waiting.length ? undefined : this.freest();
    return i === undefined ? undefined : this.engines[i];
  }

  private freest(): number | undefined {
    let best: number | undefined;
    let bestFree = 0;
    this.engines.forEach((e, i) => {
      if (this.lost.has(i) && !this.allLost) return;
      const free = e.slots - (this.active[i] ?? 0);
      if (free > bestFree) [best, bestFree] = [i, free];
    });
    return best;
  }

  /** Runs `task` on `prefer` when it has a free slot (a job's warm container is there), else on the freest engine. */
  async run<T>(task: (engine: JobEngine) => Promise<T>, prefer?: JobEngine): Promise<T> {
    const preferred = prefer && this.freeOn(prefer) > 0 ? this.engines.indexOf(prefer) : undefined;
    let index = this.waiting.length ? undefined : (preferred ?? this.freest());
    if (index === undefined) {
      // The task that ends hands its engine's slot straight to the next waiter.
      index = await new Promise<number>((resolve) => this.waiting.push(resolve));
    } else {
      this.active[index] = (this.active[index] ?? 0) + 1;
    }
    const i = index;
    try {
      return await task(this.engines[i] as JobEngine);
    } finally {
      // A lost engine's slot goes to nobody (unless every engine is lost).
      const next = this.lost.has(i) && !this.allLost ? undefined : this.waiting.shift();
      if (next) next(i);
      else this.active[i] = (this.active[i] ?? 1) - 1;
    }
  }
}
