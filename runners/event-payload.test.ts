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

  it("workflow_dispatch carries the inputs", () => {
    expect(payload({ event: "workflow_dispatch", inputs: { level: "debug", dry: true } })).toMatchObject({
      inputs: { level: "debug", dry: true },
      ref: "refs/heads/feature",
      repository,
    });
  });

  it("workflow_dispatch without inputs has an empty inputs object", () => {
    expect(payload({ event: "workflow_dispatch" })).toMatchObject({ inputs: {} });
  });

  it.each(["schedule", "release", "merge_group", "repository_dispatch"])("%s has the repository and the sender", (event) => {
    expect(payload({ event })).toMatchObject({ repository, sender: { login: "mona" } });
  });
});
