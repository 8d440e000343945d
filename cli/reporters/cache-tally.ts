import type { CacheNotice } from "../../runners/index.js";

export interface CacheCounts {
  hit: number;
  partial: number;
  miss: number;
  saved: number;
}

const empty = (): CacheCounts => ({ hit: 0, partial: 0, miss: 0, saved: 0 });

/** Cache restores and saves per job, from the notices the cache actions emit. */
export class CacheTally {
  private readonly byJob = new Map<string, CacheCounts>();

  add(jobKey: string, c: CacheNotice): void {
    const counts = this.byJob.get(jobKey) ?? empty();
    if (c.result === "hit" || c.result === "partial" || c.result === "miss" || c.result === "saved") counts[c.result]++;
    this.byJob.set(jobKey, counts);
  }

  get any(): boolean {
    return this.byJob.size > 0;
  }

  job(jobKey: string): CacheCounts | undefined {
    return this.byJob.get(jobKey);
  }

  total(): CacheCounts {
    const t = empty();
    for (const c of this.byJob.values()) for (const k of ["hit", "partial", "miss", "saved"] as const) t[k] += c[k];
    return t;
  }
}

/** `2 hit, 1 miss`: a job's restores, for the summary table. */
export function formatJobCache(c: CacheCounts | undefined): string {
  if (!c) return "";
  const parts = [c.hit ? `${c.hit} hit` : "", c.partial ? `${c.partial} partial` : "", c.miss ? `${c.miss} miss` : "", c.saved ? `${c.saved} saved` : ""];
  return parts.filter(Boolean).join(", ");
}

/**
 * The run's cache line: exact hits over all restores (a restore key's entry is no hit,
 * as `cache-hit` says false for it).
 */
export function formatCacheTotal(c: CacheCounts): string {
  const restores = c.hit + c.partial + c.miss;
  const rate = restores ? Math.round((100 * c.hit) / restores) : 0;
  const extra = [c.partial ? `${c.partial} from a restore key` : "", c.miss ? `${c.miss} missed` : "", c.saved ? `${c.saved} saved` : ""].filter(Boolean);
  return `caches: ${c.hit} of ${restores} restore(s) hit (${rate}% hit rate)${extra.length ? `, ${extra.join(", ")}` : ""}`;
}
