import { describe, expect, it } from "vitest";
import type { EventFilter, Triggers } from "./model.js";
import { emptyTriggers, triggeredBy } from "./triggers.js";
import type { TriggerEvent } from "./triggers.js";

function on(events: Record<string, EventFilter>): Triggers {
  return { ...emptyTriggers(), events };
}

const head = (b: string): string => `refs/heads/${b}`;
const tag = (t: string): string => `refs/tags/${t}`;

describe("triggeredBy", () => {
  it.each<[string, Record<string, EventFilter>, TriggerEvent, boolean, string]>([
    ["an event the workflow does not name", { push: {} }, { event: "pull_request" }, false, "does not run on pull_request (it runs on push)"],
    ["an event with no filters", { push: {} }, { event: "push", ref: head("anything") }, true, "runs on every push"],
    ["workflow_dispatch", { workflow_dispatch: {} }, { event: "workflow_dispatch", ref: head("main") }, true, ""],
    ["schedule", { schedule: {} }, { event: "schedule" }, true, ""],

    // branches / branches-ignore
    ["push to a listed branch", { push: { branches: ["main", "staging"] } }, { event: "push", ref: head("main") }, true, "push to 'main'"],
    ["push to an unlisted branch", { push: { branches: ["main", "staging"] } }, { event: "push", ref: head("feature") }, false, "push to 'feature' does not match branches [main, staging]"],
    ["push matching a glob", { push: { branches: ["releases/**"] } }, { event: "push", ref: head("releases/v1/rc") }, true, ""],
    ["push to an ignored branch", { push: { branchesIgnore: ["wip/**"] } }, { event: "push", ref: head("wip/a/b") }, false, "push to 'wip/a/b' matches branches-ignore [wip/**]"],
    ["push to a branch not ignored", { push: { branchesIgnore: ["wip/**"] } }, { event: "push", ref: head("main") }, true, ""],
    ["a negated branch", { push: { branches: ["releases/**", "!releases/**-alpha"] } }, { event: "push", ref: head("releases/10-alpha") }, false, "does not match branches"],

    // tags, and filtering one kind of ref only
    ["tag push under tags", { push: { tags: ["v*"] } }, { event: "push", ref: tag("v1.2") }, true, ""],
    ["tag push not matching tags", { push: { tags: ["v*"] } }, { event: "push", ref: tag("nightly") }, false, "push of tag 'nightly' does not match tags [v*]"],
    ["tag push under tags-ignore", { push: { tagsIgnore: ["v*-rc*"] } }, { event: "push", ref: tag("v2-rc1") }, false, "matches tags-ignore [v*-rc*]"],
    ["only branches: a tag push does not trigger", { push: { branches: ["main"] } }, { event: "push", ref: tag("v1") }, false, "push of tag 'v1' does not trigger: the push trigger filters only branches"],
    ["only branches-ignore: a tag push does not trigger", { push: { branchesIgnore: ["wip"] } }, { event: "push", ref: tag("v1") }, false, "filters only branches"],
    ["only tags: a branch push does not trigger", { push: { tags: ["v*"] } }, { event: "push", ref: head("main") }, false, "push to 'main' does not trigger: the push trigger filters only tags"],
    ["branches and tags: a tag checks tags", { push: { branches: ["main"], tags: ["v*"] } }, { event: "push", ref: tag("v3") }, true, ""],
    ["branches and tags: a branch checks branches", { push: { branches: ["main"], tags: ["v*"] } }, { event: "push", ref: head("dev") }, false, "does not match branches [main]"],
    ["no filters: a tag push triggers", { push: {} }, { event: "push", ref: tag("v1") }, true, ""],

    // paths / paths-ignore
    ["paths with a matching file", { push: { paths: ["src/**"] } }, { event: "push", ref: head("main"), changedFiles: ["src/a.ts", "README.md"] }, true, ""],
    ["paths with no matching file", { push: { paths: ["src/**"] } }, { event: "push", ref: head("main"), changedFiles: ["README.md"] }, false, "push to 'main': the changed file 'README.md' does not match paths [src/**]"],
    ["paths-ignore with every file ignored", { push: { pathsIgnore: ["docs/**"] } }, { event: "push", ref: head("main"), changedFiles: ["docs/a.md", "docs/b.md"] }, false, "all of the 2 changed files match paths-ignore [docs/**]"],
    ["paths-ignore with the only file ignored", { push: { pathsIgnore: ["docs/**"] } }, { event: "push", ref: head("main"), changedFiles: ["docs/a.md"] }, false, "the changed file 'docs/a.md' matches paths-ignore [docs/**]"],
    ["paths with more files, none matching", { push: { paths: ["src/**"] } }, { event: "push", ref: head("main"), changedFiles: ["a", "b"] }, false, "none of the 2 changed files match paths [src/**]"],
    ["paths-ignore with a file outside", { push: { pathsIgnore: ["docs/**"] } }, { event: "push", ref: head("main"), changedFiles: ["docs/a.md", "x.c"] }, true, ""],
    ["paths with unknown changes", { push: { paths: ["src/**"] } }, { event: "push", ref: head("main") }, true, ""],
    ["paths are not evaluated for tag pushes", { push: { tags: ["v*"], paths: ["src/**"] } }, { event: "push", ref: tag("v1"), changedFiles: ["README.md"] }, true, ""],
    ["branches and paths must both pass", { push: { branches: ["main"], paths: ["src/**"] } }, { event: "push", ref: head("main"), changedFiles: ["docs/x"] }, false, "the changed file 'docs/x' does not match paths [src/**]"],

    // pull_request: base branch, default types
    ["pull_request into a listed base", { pull_request: { branches: ["main"] } }, { event: "pull_request", ref: head("main"), action: "opened" }, true, ""],
    ["pull_request into another base", { pull_request: { branches: ["main"] } }, { event: "pull_request", ref: head("dev"), action: "synchronize" }, false, "pull_request into 'dev' does not match branches [main]"],
    ["pull_request closed is not a default type", { pull_request: {} }, { event: "pull_request", ref: head("main"), action: "closed" }, false, "pull_request activity 'closed' is not one of types [opened, synchronize, reopened], the default"],
    ["pull_request reopened is a default type", { pull_request: {} }, { event: "pull_request", ref: head("main"), action: "reopened" }, true, ""],
    ["pull_request_target has the same defaults", { pull_request_target: {} }, { event: "pull_request_target", action: "labeled" }, false, "not one of types"],
    ["pull_request with listed types", { pull_request: { types: ["labeled", "closed"] } }, { event: "pull_request", ref: head("main"), action: "closed" }, true, ""],
    ["pull_request with other types", { pull_request: { types: ["labeled"] } }, { event: "pull_request", action: "opened" }, false, "pull_request activity 'opened' is not one of types [labeled]"],
    ["pull_request paths", { pull_request: { paths: ["**.rs"] } }, { event: "pull_request", ref: head("main"), action: "opened", changedFiles: ["a.md"] }, false, "pull_request into 'main': the changed file 'a.md' does not match"],
    ["an unknown action passes the types filter", { pull_request: { types: ["labeled"] } }, { event: "pull_request", ref: head("main") }, true, ""],

    // other events: every activity type unless types are listed
    ["issues with no types", { issues: {} }, { event: "issues", action: "deleted" }, true, ""],
    ["release with types", { release: { types: ["published"] } }, { event: "release", action: "created" }, false, "release activity 'created' is not one of types [published]"],
  ])("%s", (_name, events, ev, triggered, reason) => {
    const decision = triggeredBy(on(events), ev);
    expect(decision.triggered).toBe(triggered);
    expect(decision.reason).toContain(reason);
  });

  it("corpus dataprism: push on main only, every pull_request into any base", () => {
    const t = on({ push: { branches: ["main"] }, pull_request: {} });
    expect(triggeredBy(t, { event: "push", ref: head("main") }).triggered).toBe(true);
    expect(triggeredBy(t, { event: "push", ref: head("feature") }).triggered).toBe(false);
    expect(triggeredBy(t, { event: "pull_request", ref: head("feature"), action: "opened" }).triggered).toBe(true);
  });

  it("corpus progressive: push to staging or main, and workflow_dispatch", () => {
    const t = on({ push: { branches: ["staging", "main"] }, workflow_dispatch: {} });
    expect(triggeredBy(t, { event: "push", ref: head("staging") }).triggered).toBe(true);
    expect(triggeredBy(t, { event: "push", ref: head("feature") }).reason).toBe("push to 'feature' does not match branches [staging, main]");
    expect(triggeredBy(t, { event: "workflow_dispatch", ref: head("feature") }).triggered).toBe(true);
  });

  it("does not mistake an inherited property for an event", () => {
    expect(triggeredBy(emptyTriggers(), { event: "constructor" }).triggered).toBe(false);
  });
});
