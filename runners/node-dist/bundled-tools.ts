/**
 * The npm and corepack a Node release bundles, read from the CHANGELOG.md its npm package
 * ships (the major's changelog, newest release first, up to this one): the first
 * "deps: upgrade npm to X" and "deps: update corepack to X" entries. A release without a
 * corepack entry (before 14.19, or after corepack left the distribution) bundles none.
 */
export function bundledTools(changelog: string): { npm?: string; corepack?: string } {
  const npm = /\*\*deps\*\*: (?:upgrade|update) npm to v?(\d+\.\d+\.\d+)/.exec(changelog)?.[1];
  const corepack = /\*\*deps\*\*: (?:upgrade|update) corepack to v?(\d+\.\d+\.\d+)/.exec(changelog)?.[1];
  return { ...(npm ? { npm } : {}), ...(corepack ? { corepack } : {}) };
}
