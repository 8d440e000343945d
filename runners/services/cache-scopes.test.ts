import { describe, expect, it } from "vitest";
import { cacheScopes } from "./cache-scopes.js";

describe("cacheScopes", () => {
  it.each<[string, Parameters<typeof cacheScopes>[0], { save: string; restore: string[] }]>([
    ["a push to main", { eventName: "push", ref: "refs/heads/main", refName: "main", defaultBranch: "main" }, { save: "refs/heads/main", restore: ["refs/heads/main"] }],
    [
      "a push to a feature branch falls back to the default branch",
      { eventName: "push", ref: "refs/heads/feat", refName: "feat", defaultBranch: "main" },
      { save: "refs/heads/feat", restore: ["refs/heads/feat", "refs/heads/main"] },
    ],
    [
      "a pull request: its own scope, its base, the default branch",
      { eventName: "pull_request", ref: "refs/heads/feat", refName: "feat", defaultBranch: "main", baseBranch: "release" },
      { save: "refs/pull/feat/merge", restore: ["refs/pull/feat/merge", "refs/heads/release", "refs/heads/main"] },
    ],
    [
      "a tag",
      { eventName: "push", ref: "refs/tags/v1", refName: "v1", defaultBranch: "main" },
      { save: "refs/tags/v1", restore: ["refs/tags/v1", "refs/heads/main"] },
    ],
  ])("%s", (_name, input, expected) => expect(cacheScopes(input)).toEqual(expected));
});
