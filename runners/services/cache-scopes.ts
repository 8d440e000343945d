/** What a run's cache scopes depend on. */
export interface ScopeInput {
  eventName: string;
  /** refs/heads/<branch> or refs/tags/<tag> of the replayed commit. */
  ref: string;
  /** The branch (or tag) name of the replayed commit. */
  refName: string;
  defaultBranch: string;
  /** The base of a pull_request replay. */
  baseBranch?: string;
}

export interface CacheScopes {
  /** Where this run saves. */
  save: string;
  /** Where it restores from, first match wins: its own scope, a PR's base, the default branch. */
  restore: string[];
}

/**
 * GitHub scopes caches by ref: a run restores what its own ref saved, then (for a pull
 * request) its base branch, then the default branch, and saves only to its own ref.
 * Every pull_request replay has the same ref (refs/pull/1/merge), so its scope is named
 * after the head branch too: two branches replayed as PRs must not share caches.
 */
export function cacheScopes(i: ScopeInput): CacheScopes {
  const pr = i.eventName === "pull_request" || i.eventName === "pull_request_target";
  const save = pr && i.eventName === "pull_request" ? `refs/pull/${i.refName}/merge` : i.ref;
  const restore = [save];
  if (pr) restore.push(`refs/heads/${i.baseBranch ?? i.defaultBranch}`);
  restore.push(`refs/heads/${i.defaultBranch}`);
  return { save, restore: [...new Set(restore)] };
}
