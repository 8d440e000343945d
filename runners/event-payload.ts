import type { Plan, Value, ValueMap } from "../workflows/index.js";
import { resolveCommit } from "./repo-info.js";
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
  /** The base branch's commit, where git knows it (pull_request's `base.sha`). */
  baseSha?: string;
  /** The one workflow the replay runs, when it runs one: workflow_dispatch's `workflow`, schedule's cron. */
  workflow?: { file: string; schedule: readonly string[] };
}

/**
 * `github.event.inputs` of a workflow_dispatch: every value a string, as GitHub sends it
 * (`'true'`, `'5'`); only the `inputs` context keeps booleans and numbers typed.
 */
export function eventInputs(inputs: Record<string, Value>): ValueMap {
  const out: ValueMap = {};
  for (const [k, v] of Object.entries(inputs)) out[k] = typeof v === "string" ? v : v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  return out;
}

/**
 * An event payload synthesized from git, with the fields of GitHub's webhook payloads
 * that workflows read: `push` (before, after, ref, head_commit, commits, repository),
 * `pull_request` (number, head, base, labels, the synchronize's before/after),
 * `workflow_dispatch` (inputs as strings, ref, workflow), `schedule` (the cron),
 * `release`, `merge_group` and the others' basics.
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
  const defaultRef = `refs/heads/${repo.defaultBranch}`;
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
      const baseSha = o.baseSha ?? repo.before;
      const url = `${o.serverUrl}/${repo.fullName}/pull/1`;
      return {
        action: "synchronize",
        number: 1,
        // A synchronize's payload says which head the push moved the pull request from.
        before: repo.before,
        after: repo.sha,
        pull_request: {
          number: 1,
          state: "open",
          locked: false,
          draft: false,
          merged: false,
          title: repo.headCommit.message.split("\n")[0] ?? "",
          body: null,
          html_url: url,
          labels: [],
          assignees: [],
          requested_reviewers: [],
          head: { label: `${repo.owner}:${repo.refName}`, ref: repo.refName, sha: repo.sha, repo: repository, user: { login: repo.owner } },
          base: { label: `${repo.owner}:${base}`, ref: base, sha: baseSha, repo: repository, user: { login: repo.owner } },
          user: sender,
          author_association: "OWNER",
        },
        repository,
        sender,
      };
    }
    case "workflow_dispatch":
      return { inputs: eventInputs(o.inputs ?? {}), ref: repo.ref, repository, sender, workflow: o.workflow?.file ?? "" };
    case "schedule":
      // The cron that fired; GitHub runs a schedule on the default branch's latest commit.
      return { schedule: o.workflow?.schedule[0] ?? "", repository, sender };
    case "release": {
      const release: ValueMap = {
        tag_name: repo.refName,
        target_commitish: repo.defaultBranch,
        name: repo.refName,
        body: "",
        draft: false,
        prerelease: false,
        html_url: `${o.serverUrl}/${repo.fullName}/releases/tag/${repo.refName}`,
        author: sender,
        assets: [],
      };
      return { action: "published", release, repository, sender };
    }
    case "merge_group": {
      // head_ref stays github.ref (GitHub's is the queue's gh-readonly-queue/… branch).
      return { action: "checks_requested", merge_group: { head_sha: repo.sha, head_ref: repo.ref, base_sha: repo.before, base_ref: defaultRef, head_commit: commit }, repository, sender };
    }
    default:
      return { repository, sender };
  }
}

/** What a synthesized payload says beyond the repository: a pull request's base, the one workflow's file and cron. */
export async function payloadContext(plan: Plan, repo: RepoInfo, base: string | undefined): Promise<Partial<PayloadOptions>> {
  const out: Partial<PayloadOptions> = {};
  if (base) {
    out.baseBranch = base;
    const sha = (await resolveCommit(repo.dir, base)) ?? (await resolveCommit(repo.dir, `origin/${base}`));
    if (sha !== undefined) out.baseSha = sha;
  }
  const only = plan.workflows.length === 1 ? plan.workflows[0]?.workflow : undefined;
  if (only) out.workflow = { file: only.file, schedule: only.on.schedule };
  return out;
}
