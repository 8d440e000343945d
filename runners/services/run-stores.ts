import type { ArtifactStore } from "./artifact-store.js";
import type { CacheScopes } from "./cache-scopes.js";
import type { CacheStore } from "./cache-store.js";

/** The stores of one replay, shared by its services and its built-in actions. */
export interface RunStores {
  caches: CacheStore;
  artifacts: ArtifactStore;
  /** Whose caches: see repositoryIdentity. */
  repository: string;
  scopes: CacheScopes;
}

/**
 * A repository as the cache store tells them apart: owner/name from its GitHub remote
 * (clones of one repository share caches, as on GitHub), else its folder.
 */
export function repositoryIdentity(repo: { fullName: string; remoteUrl?: string; dir: string }): string {
  return repo.remoteUrl ? repo.fullName : `local:${repo.dir}`;
}
