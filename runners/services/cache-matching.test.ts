import { describe, expect, it } from "vitest";
import { matchCacheEntry } from "./cache-matching.js";
import type { MatchableEntry } from "./cache-matching.js";

const V = "v1";
const e = (key: string, scope: string, createdAtMs: number, version = V): MatchableEntry => ({ key, scope, createdAtMs, version });
const MAIN = "refs/heads/main";
const FEAT = "refs/heads/feature";

const entries: MatchableEntry[] = [
  e("npm-linux-abc", MAIN, 1),
  e("npm-linux-abd", MAIN, 3),
  e("npm-linux-old", MAIN, 2),
  e("npm-linux-abc", FEAT, 4),
  e("npm-linux-feature-only", FEAT, 5),
  e("npm-linux-abc-v2", MAIN, 6, "other-version"),
  e("yarn-linux-x", MAIN, 7),
];

describe("matchCacheEntry: GitHub's order", () => {
  it.each<[string, string, string[], string[], { key: string; scope: string; exact: boolean } | undefined]>([
    ["the exact key wins over a newer prefix match", "npm-linux-abc", [], [MAIN], { key: "npm-linux-abc", scope: MAIN, exact: true }],
    ["the key as a prefix: the newest entry", "npm-linux-ab", [], [MAIN], { key: "npm-linux-abd", scope: MAIN, exact: false }],
    ["restore keys in order, the first that matches", "npm-linux-zzz", ["yarn-", "npm-"], [MAIN], { key: "yarn-linux-x", scope: MAIN, exact: false }],
    ["a restore key matches the newest of its prefix", "none", ["npm-linux-"], [MAIN], { key: "npm-linux-abd", scope: MAIN, exact: false }],
    ["the primary key as prefix before any restore key", "npm-linux-o", ["yarn-"], [MAIN], { key: "npm-linux-old", scope: MAIN, exact: false }],
    ["another version never matches", "npm-linux-abc-v2", [], [MAIN], undefined],
    ["a miss", "pip-", ["pip"], [MAIN], undefined],
    ["the own branch first", "npm-linux-abc", [], [FEAT, MAIN], { key: "npm-linux-abc", scope: FEAT, exact: true }],
    ["a prefix match on the own branch beats an exact one on the default branch", "npm-linux-", [], [FEAT, MAIN], { key: "npm-linux-feature-only", scope: FEAT, exact: false }],
    ["then the default branch", "npm-linux-abd", [], [FEAT, MAIN], { key: "npm-linux-abd", scope: MAIN, exact: true }],
    ["another branch's entry is not seen from main", "npm-linux-feature-only", [], [MAIN], undefined],
    ["keys are case-sensitive prefixes", "NPM-", [], [MAIN], undefined],
  ])("%s", (_name, key, restoreKeys, scopes, expected) => {
    const m = matchCacheEntry(entries, { key, restoreKeys, version: V, scopes });
    expect(m === undefined ? undefined : { key: m.entry.key, scope: m.entry.scope, exact: m.exact }).toEqual(expected);
  });
});
