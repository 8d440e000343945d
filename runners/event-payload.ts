import type { Value, ValueMap } from "../workflows/index.js";
import type { RepoInfo } from "./repo-info.js";

/** The `repository` object of an event payload, as far as a local clone knows it. */
function repositoryPayload(repo: RepoInfo, serverUrl: string): ValueMap {
  return {
    name: repo.name,
    full_name: repo.fullName,
    owner: { login: repo.owner, name: repo.owner },
    default_branch: repo.defaultBranch,
    master_branch: repo.defaultBranch,
    html_url: `${serverUrl}/${repo.fullName}`,
    clone_url: `${serverUrl}/${repo.fullName}.git`,
    private: true,
    fork: false,
  };
}

export interface PayloadOptions {
  event: string;
  repo: RepoInfo;
  serverUrl: string;
  inputs?: Record<string, Value>;
  /** Base branch for pull_request events. */
  baseBranch?: string;
}

/**
 * An event payload synthesized from git, with the fields workflows read most:
 * `push` (before, after, ref, head_commit, commits, repository), `pull_request`
 * (number, head, base), `workflow_dispatch` (inputs) and the others' basics.
 */
export function synthesizePayload(o: PayloadOptions): ValueMap {
  const { repo } = o;
  const sender = { login: repo.actor, type: "User" };
  const repository = repositoryPayload(repo, o.serverUrl);
  const commit: ValueMap = {
    id: repo.sha,
    tree_id: repo.sha,
    distinct: true,
    message: repo.headCommit.message,
    timestamp: repo.headCommit.timestamp,
    url: `${o.serverUrl}/${repo.fullName}/commit/${repo.sha}`,
    author: { ...repo.headCommit.author, username: repo.actor },
    committer: { ...repo.headCommit.author, username: repo.actor },
  };
  switch (o.event) {
    case "push":
      return {
        ref: repo.ref,
        before: repo.before,
        after: repo.sha,
        created: /^0+$/.test(repo.before),
        deleted: false,
        forced: false,
        base_ref: null,
        compare: `${o.serverUrl}/${repo.fullName}/compare/${repo.before.slice(0, 12)}...${repo.sha.slice(0, 12)}`,
        commits: [commit],
        head_commit: commit,
        pusher: { name: repo.actor, email: repo.headCommit.author.email },
        repository,
        sender,
      };
    case "pull_request":
    case "pull_request_target": {
      const base = o.baseBranch ?? repo.defaultBranch;
      return {
        action: "synchronize",
        number: 1,
        pull_request: {
          number: 1,
          state: "open",
          title: repo.headCommit.message.split("\n")[0] ?? "",
          head: { ref: repo.refName, sha: repo.sha, repo: repository },
          base: { ref: base, sha: repo.before, repo: repository },
          user: sender,
        },
        repository,
        sender,
      };
    }
    case "workflow_dispatch":
      return { inputs: (o.inputs ?? {}) as Value, ref: repo.ref, repository, sender, workflow: "" };
    case "schedule":
      return { schedule: "", repository, sender };
    case "release":
      return { action: "published", release: { tag_name: repo.refName, name: repo.refName, draft: false, prerelease: false }, repository, sender };
    case "merge_group":
      return { action: "checks_requested", merge_group: { head_sha: repo.sha, head_ref: repo.ref, base_ref: `refs/heads/${repo.defaultBranch}` }, repository, sender };
    default:
      return { repository, sender };
  }
}
