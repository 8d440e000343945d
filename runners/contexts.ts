import type { Value, ValueMap } from "../workflows/index.js";
import type { RepoInfo } from "./repo-info.js";

/** Paths inside a job container, as GitHub's hosted runner lays them out. */
export interface RunnerPaths {
  work: string;
  workspace: string;
  temp: string;
  toolCache: string;
  home: string;
  fileCommands: string;
  eventPath: string;
}

/** The hosted runner's layout, or a `container:` job's (`/__w`, `/__t`, `/github/home`). */
export function runnerPaths(repoName: string, kind: "runner" | "container" = "runner"): RunnerPaths {
  const work = kind === "container" ? "/__w" : "/home/runner/work";
  return {
    work,
    workspace: `${work}/${repoName}/${repoName}`,
    temp: `${work}/_temp`,
    toolCache: kind === "container" ? "/__t" : "/opt/hostedtoolcache",
    home: kind === "container" ? "/github/home" : "/home/runner",
    fileCommands: `${work}/_temp/_runner_file_commands`,
    eventPath: `${work}/_temp/_github_workflow/event.json`,
  };
}

export interface RunIdentity {
  runId: string;
  runNumber: number;
  runAttempt: number;
  serverUrl: string;
  apiUrl: string;
  graphqlUrl: string;
  token?: string;
}

export interface GithubContextInput {
  repo: RepoInfo;
  run: RunIdentity;
  eventName: string;
  payload: ValueMap;
  workflowName: string;
  workflowFile: string;
  jobId: string;
  paths: RunnerPaths;
  baseBranch?: string;
}

/** The `github` context (without the per-step fields, which the job runner adds). */
export function githubContext(i: GithubContextInput): ValueMap {
  const pr = i.eventName === "pull_request" || i.eventName === "pull_request_target";
  const ref = pr && i.eventName === "pull_request" ? "refs/pull/1/merge" : i.repo.ref;
  const ctx: ValueMap = {
    action: "",
    action_path: "",
    action_ref: "",
    action_repository: "",
    actor: i.repo.actor,
    actor_id: "0",
    api_url: i.run.apiUrl,
    base_ref: pr ? (i.baseBranch ?? i.repo.defaultBranch) : "",
    event: i.payload,
    event_name: i.eventName,
    event_path: i.paths.eventPath,
    graphql_url: i.run.graphqlUrl,
    head_ref: pr ? i.repo.refName : "",
    job: i.jobId,
    ref,
    ref_name: pr ? "1/merge" : i.repo.refName,
    ref_protected: false,
    ref_type: i.repo.refType,
    repository: i.repo.fullName,
    repository_id: "0",
    repository_owner: i.repo.owner,
    repository_owner_id: "0",
    repositoryUrl: `git://${i.run.serverUrl.replace(/^https?:\/\//, "")}/${i.repo.fullName}.git`,
    retention_days: "90",
    run_id: i.run.runId,
    run_number: String(i.run.runNumber),
    run_attempt: String(i.run.runAttempt),
    secret_source: "Actions",
    server_url: i.run.serverUrl,
    sha: i.repo.sha,
    triggering_actor: i.repo.actor,
    workflow: i.workflowName,
    workflow_ref: `${i.repo.fullName}/${i.workflowFile}@${ref}`,
    workflow_sha: i.repo.sha,
    workspace: i.paths.workspace,
  };
  if (i.run.token !== undefined) ctx["token"] = i.run.token;
  return ctx;
}

/** The environment GitHub's runner gives every step, from the `github` context. */
export function githubEnv(github: ValueMap, paths: RunnerPaths): Record<string, string> {
  const s = (k: string): string => {
    const v = github[k];
    return v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  };
  return {
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_ACTOR: s("actor"),
    GITHUB_ACTOR_ID: s("actor_id"),
    GITHUB_API_URL: s("api_url"),
    GITHUB_BASE_REF: s("base_ref"),
    GITHUB_EVENT_NAME: s("event_name"),
    GITHUB_EVENT_PATH: paths.eventPath,
    GITHUB_GRAPHQL_URL: s("graphql_url"),
    GITHUB_HEAD_REF: s("head_ref"),
    GITHUB_JOB: s("job"),
    GITHUB_REF: s("ref"),
    GITHUB_REF_NAME: s("ref_name"),
    GITHUB_REF_PROTECTED: s("ref_protected"),
    GITHUB_REF_TYPE: s("ref_type"),
    GITHUB_REPOSITORY: s("repository"),
    GITHUB_REPOSITORY_ID: s("repository_id"),
    GITHUB_REPOSITORY_OWNER: s("repository_owner"),
    GITHUB_REPOSITORY_OWNER_ID: s("repository_owner_id"),
    GITHUB_RETENTION_DAYS: s("retention_days"),
    GITHUB_RUN_ATTEMPT: s("run_attempt"),
    GITHUB_RUN_ID: s("run_id"),
    GITHUB_RUN_NUMBER: s("run_number"),
    GITHUB_SERVER_URL: s("server_url"),
    GITHUB_SHA: s("sha"),
    GITHUB_TRIGGERING_ACTOR: s("triggering_actor"),
    GITHUB_WORKFLOW: s("workflow"),
    GITHUB_WORKFLOW_REF: s("workflow_ref"),
    GITHUB_WORKFLOW_SHA: s("workflow_sha"),
    GITHUB_WORKSPACE: paths.workspace,
    HOME: paths.home,
    RUNNER_ARCH: "X64",
    RUNNER_ENVIRONMENT: "github-hosted",
    RUNNER_NAME: "replay",
    RUNNER_OS: "Linux",
    RUNNER_TEMP: paths.temp,
    RUNNER_TOOL_CACHE: paths.toolCache,
    RUNNER_WORKSPACE: paths.workspace.replace(/\/[^/]+$/, ""),
  };
}

export function runnerContext(paths: RunnerPaths): ValueMap {
  return {
    os: "Linux",
    arch: "X64",
    name: "replay",
    environment: "github-hosted",
    temp: paths.temp,
    tool_cache: paths.toolCache,
    workspace: paths.workspace.replace(/\/[^/]+$/, ""),
  };
}

export type NeedsContext = Record<string, { result: string; outputs: Record<string, string> }>;

export function needsValue(needs: NeedsContext): Value {
  return Object.fromEntries(Object.entries(needs).map(([k, v]) => [k, { result: v.result, outputs: v.outputs }]));
}
