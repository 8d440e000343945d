import { describe, expect, it } from "vitest";
import type { Value } from "../workflows/index.js";
import { synthesizePayload } from "./event-payload.js";
import type { PayloadOptions } from "./event-payload.js";
import type { RepoInfo } from "./repo-info.js";

const sha = "1111111111111111111111111111111111111111";
const parent = "2222222222222222222222222222222222222222";

const repo: RepoInfo = {
  dir: "/home/me/widgets",
  owner: "octo",
  name: "widgets",
  fullName: "octo/widgets",
  sha,
  ref: "refs/heads/feature",
  refName: "feature",
  refType: "branch",
  defaultBranch: "main",
  actor: "mona",
  headCommit: { id: sha, message: "Add gears\n\nLonger body.", timestamp: "2025-06-01T12:00:00+02:00", author: { name: "Mona", email: "mona@example.com" } },
  before: parent,
};

const serverUrl = "https://github.com";
const payload = (o: Partial<PayloadOptions> = {}): Record<string, Value> => synthesizePayload({ event: "push", repo, serverUrl, ...o });

const repository = {
  name: "widgets",
  full_name: "octo/widgets",
  owner: { login: "octo" },
  default_branch: "main",
  html_url: "https://github.com/octo/widgets",
};

describe("synthesizePayload", () => {
  it("push: before, after, ref, head_commit, commits and repository", () => {
    const p = payload();
    const headCommit = {
      id: sha,
      message: "Add gears\n\nLonger body.",
      timestamp: "2025-06-01T12:00:00+02:00",
      url: `https://github.com/octo/widgets/commit/${sha}`,
      author: { name: "Mona", email: "mona@example.com", username: "mona" },
    };
    expect(p).toMatchObject({
      ref: "refs/heads/feature",
      before: parent,
      after: sha,
      created: false,
      deleted: false,
      head_commit: headCommit,
      commits: [headCommit],
      pusher: { name: "mona", email: "mona@example.com" },
      repository,
      sender: { login: "mona" },
    });
  });

  it("push of a first commit: before is all zeros and the ref is created", () => {
    const first = { ...repo, before: "0".repeat(40) };
    expect(synthesizePayload({ event: "push", repo: first, serverUrl })).toMatchObject({ before: "0".repeat(40), created: true });
  });

  it("push on GitHub Enterprise: URLs use its server", () => {
    const p = payload({ serverUrl: "https://ghe.example.com" });
    expect(p).toMatchObject({
      repository: { html_url: "https://ghe.example.com/octo/widgets" },
      head_commit: { url: `https://ghe.example.com/octo/widgets/commit/${sha}` },
    });
  });

  it.each<[string, string, string | undefined, string]>([
    ["pull_request against the default branch", "pull_request", undefined, "main"],
    ["pull_request against a given base", "pull_request", "release/1.x", "release/1.x"],
    ["pull_request_target", "pull_request_target", undefined, "main"],
  ])("%s: head and base", (_name, event, baseBranch, baseRef) => {
    const p = payload({ event, ...(baseBranch === undefined ? {} : { baseBranch }) });
    expect(p).toMatchObject({
      number: 1,
      pull_request: {
        number: 1,
        title: "Add gears",
        head: { ref: "feature", sha, repo: repository },
        base: { ref: baseRef, repo: repository },
      },
      repository,
      sender: { login: "mona" },
    });
  });

  it.each<[string, Record<string, Value>, Record<string, Value>]>([
    ["strings stay strings", { level: "debug" }, { level: "debug" }],
    ["a boolean is 'true' or 'false', as GitHub sends it", { dry: true, loud: false }, { dry: "true", loud: "false" }],
    ["a number is its decimal string", { count: 5, ratio: 0.5 }, { count: "5", ratio: "0.5" }],
    ["no inputs: an empty object", {}, {}],
  ])("workflow_dispatch's github.event.inputs: %s", (_name, inputs, expected) => {
    const p = payload({ event: "workflow_dispatch", inputs, workflow: { file: ".github/workflows/deploy.yml", schedule: [] } });
    expect(p["inputs"]).toEqual(expected);
    expect(p).toMatchObject({ ref: "refs/heads/feature", workflow: ".github/workflows/deploy.yml", repository, sender: { login: "mona" } });
  });

  // Fields GitHub's webhook payloads have that workflows read, beside the tests above.
  it.each<[string, Partial<PayloadOptions>, Record<string, Value>]>([
    [
      "pull_request: the synchronize's before/after, labels, draft, head and base labels, base.sha from git",
      { event: "pull_request", baseBranch: "main", baseSha: "3".repeat(40) },
      {
        action: "synchronize",
        before: parent,
        after: sha,
        pull_request: {
          draft: false,
          merged: false,
          labels: [],
          html_url: "https://github.com/octo/widgets/pull/1",
          head: { label: "octo:feature" },
          base: { label: "octo:main", ref: "main", sha: "3".repeat(40) },
        },
      },
    ],
    ["schedule: the cron of the workflow", { event: "schedule", workflow: { file: ".github/workflows/nightly.yml", schedule: ["0 3 * * *", "0 15 * * *"] } }, { schedule: "0 3 * * *" }],
    [
      "release: published, with the tag, target_commitish and assets",
      { event: "release" },
      { action: "published", release: { tag_name: "feature", target_commitish: "main", draft: false, prerelease: false, assets: [], html_url: "https://github.com/octo/widgets/releases/tag/feature" } },
    ],
    [
      "merge_group: checks_requested, head and base sha and ref, head_commit",
      { event: "merge_group" },
      { action: "checks_requested", merge_group: { head_sha: sha, head_ref: "refs/heads/feature", base_sha: parent, base_ref: "refs/heads/main", head_commit: { id: sha } } },
    ],
  ])("%s", (_name, o, expected) => {
    expect(payload(o)).toMatchObject({ ...expected, repository, sender: { login: "mona" } });
  });

  it.each(["schedule", "release", "merge_group", "repository_dispatch", "workflow_call"])("%s has the repository and the sender", (event) => {
    expect(payload({ event })).toMatchObject({ repository, sender: { login: "mona" } });
  });
});
