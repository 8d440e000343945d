/** What matching needs to know of a stored entry. */
export interface MatchableEntry {
  key: string;
  version: string;
  scope: string;
  createdAtMs: number;
}

export interface CacheQuery {
  key: string;
  restoreKeys: readonly string[];
  version: string;
  /** In order: the first scope with any match wins. */
  scopes: readonly string[];
}

export interface CacheMatch<E extends MatchableEntry> {
  entry: E;
  /** The primary key itself matched (not a prefix, not a restore key). */
  exact: boolean;
}

/**
 * GitHub's cache matching: only entries of the same version, scope by scope; in each,
 * the exact key, then the key as a prefix, then each restore key in order as a prefix,
 * and among several prefix matches the newest.
 */
export function matchCacheEntry<E extends MatchableEntry>(entries: readonly E[], q: CacheQuery): CacheMatch<E> | undefined {
  const newest = (list: E[]): E | undefined => list.reduce<E | undefined>((best, e) => (best === undefined || e.createdAtMs > best.createdAtMs ? e : best), undefined);
  for (const scope of q.scopes) {
    const candidates = entries.filter((e) => e.scope === scope && e.version === q.version);
    const exact = newest(candidates.filter((e) => e.key === q.key));
    if (exact) return { entry: exact, exact: true };
    for (const prefix of [q.key, ...q.restoreKeys]) {
      const hit = newest(candidates.filter((e) => e.key.startsWith(prefix)));
      if (hit) return { entry: hit, exact: false };
    }
  }
  return undefined;
}
