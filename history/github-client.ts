// A thin client for the few GitHub REST calls the diff makes. The fetch function, the
// API address and the token are given by the caller (the CLI entry, or a test serving
// recorded answers on loopback); nothing here reaches for globals.
import type * as z from "../common/zod.js";
import { ReplayError } from "../common/index.js";
import { apiJobsPageSchema, apiRunSchema, apiRunsPageSchema } from "./ci-run.js";
import type { ApiJob, ApiRun } from "./ci-run.js";

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export const DEFAULT_API_URL = "https://api.github.com";

export interface GitHubClientOptions {
  /** https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  apiUrl: string;
  token?: string;
  /** Where the token came from, for messages: "GH_TOKEN", "gh auth token"… */
  tokenSource?: string;
  fetch: FetchFn;
  now?: () => number;
}

export interface RepoRef {
  owner: string;
  name: string;
}

/** A refusal or failure of the GitHub API, in terms of what to do about it. */
export class GitHubApiError extends ReplayError {
  constructor(
    readonly status: number,
    readonly url: string,
    message: string,
    hint: string,
    cause?: unknown,
  ) {
    super(status === 404 ? "not-found" : "usage", message, { hint, ...(cause === undefined ? {} : { cause }) });
  }
}

/** The `rel="next"` address of a Link header. */
export function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

const MAX_PAGES = 20;
const MAX_REDIRECTS = 5;

export class GitHubClient {
  private readonly apiUrl: string;
  private readonly now: () => number;

  constructor(private readonly o: GitHubClientOptions) {
    this.apiUrl = o.apiUrl.replace(/\/+$/, "");
    this.now = o.now ?? Date.now;
  }

  get hasToken(): boolean {
    return this.o.token !== undefined;
  }

  private url(pathOrUrl: string): string {
    return /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.apiUrl}${pathOrUrl}`;
  }

  /** The token goes only to the API's own origin, never to a log's download address. */
  private headers(url: string, accept: string): Record<string, string> {
    const h: Record<string, string> = { Accept: accept, "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "replay-ci" };
    if (this.o.token !== undefined && new URL(url).origin === new URL(this.apiUrl).origin) h["Authorization"] = `Bearer ${this.o.token}`;
    return h;
  }

  private async send(url: string, accept: string): Promise<Response> {
    try {
      return await this.o.fetch(url, { headers: this.headers(url, accept), redirect: "manual" });
    } catch (cause) {
      const why = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
      throw new GitHubApiError(0, url, `cannot reach ${new URL(url).origin}: ${why}`, "check the network, or --api-url for GitHub Enterprise Server; a run fetched before is kept in .replay/ci/ and `--ci-run ID --offline` diffs against it without the network", cause);
    }
  }

  private async refusal(res: Response, url: string, what: string): Promise<GitHubApiError> {
    const body = await res.text().catch(() => "");
    let apiMessage = "";
    try {
      apiMessage = String((JSON.parse(body) as { message?: unknown }).message ?? "");
    } catch {
      apiMessage = body.slice(0, 200);
    }
    const said = apiMessage ? ` (${res.status} ${apiMessage})` : ` (${res.status})`;
    const remaining = res.headers.get("x-ratelimit-remaining");
    const reset = Number(res.headers.get("x-ratelimit-reset"));
    const retryAfter = Number(res.headers.get("retry-after"));
    if (res.status === 429 || (res.status === 403 && (remaining === "0" || retryAfter > 0))) {
      const at = remaining === "0" && reset > 0 ? reset * 1000 : this.now() + (retryAfter > 0 ? retryAfter : 60) * 1000;
      const minutes = Math.max(1, Math.ceil((at - this.now()) / 60_000));
      const limit = res.headers.get("x-ratelimit-limit");
      return new GitHubApiError(
        res.status,
        url,
        `GitHub's API rate limit${limit ? ` (${limit} requests an hour)` : ""} is used up: it resets at ${new Date(at).toISOString()} (in ${minutes} min)`,
        this.hasToken
          ? "wait until then; a run fetched before is kept in .replay/ci/ and `--ci-run ID --offline` diffs against it without the API"
          : "set GH_TOKEN (or log in with `gh auth login`): requests with a token get 5,000 an hour instead of 60",
      );
    }
    const tokenFrom = this.o.tokenSource ? ` from ${this.o.tokenSource}` : "";
    switch (res.status) {
      case 401:
        return this.hasToken
          ? new GitHubApiError(401, url, `GitHub rejected the token${tokenFrom}${said} while reading ${what}`, "the token is expired or revoked: make a new one, or run `gh auth login` again")
          : new GitHubApiError(401, url, `GitHub wants a token to read ${what}${said}`, "set GH_TOKEN to a token that can read the repository's Actions (or log in with `gh auth login`)");
      case 403:
        return new GitHubApiError(403, url, `GitHub refused access to ${what}${said}`, this.hasToken
          ? `the token${tokenFrom} lacks access: it needs the repo scope (classic token) or "Actions: read" on this repository (fine-grained token)`
          : "set GH_TOKEN to a token that can read the repository's Actions (or log in with `gh auth login`)");
      case 404:
        return new GitHubApiError(404, url, `GitHub found nothing for ${what}${said}`, this.hasToken
          ? "check --repo owner/name and the workflow file (it must exist on the default branch); a private repository also answers 404 when the token cannot see it; for GitHub Enterprise Server pass --api-url https://HOST/api/v3"
          : "check --repo owner/name; a private repository answers 404 (or 401) without a token: set GH_TOKEN or run `gh auth login`");
      case 410:
        return new GitHubApiError(410, url, `GitHub no longer has ${what}${said}`, "logs are kept for a limited time (90 days by default); diff against a newer run with --ci-run ID");
      default:
        return new GitHubApiError(res.status, url, `GitHub answered ${res.status} while reading ${what}${said}`, res.status >= 500 ? "GitHub is having trouble: try again in a few minutes" : "check --api-url and --repo");
    }
  }

  /** GETs JSON, following redirects, refusing anything but 200. Answers the body and the next page. */
  private async getJson<S extends z.ZodMiniType>(pathOrUrl: string, schema: S, what: string): Promise<{ body: z.infer<S>; next?: string }> {
    const { res, url } = await this.follow(this.url(pathOrUrl), "application/vnd.github+json", what);
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new GitHubApiError(res.status, url, `GitHub's answer for ${what} is not JSON`, "--api-url must be the REST API's address (https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server)", cause);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new GitHubApiError(res.status, url, `GitHub's answer for ${what} lacks what replay reads (${issue ? `${issue.path.join(".")}: ${issue.message}` : "unexpected shape"})`, "--api-url must be the REST API's address (https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server)", parsed.error);
    }
    const next = nextLink(res.headers.get("link"));
    return next === undefined ? { body: parsed.data } : { body: parsed.data, next };
  }

  private async follow(start: string, accept: string, what: string): Promise<{ res: Response; url: string }> {
    let url = start;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await this.send(url, accept);
      if (res.status >= 300 && res.status < 400) {
        const location = res.headers.get("location");
        await res.body?.cancel().catch(() => undefined);
        if (!location) throw new GitHubApiError(res.status, url, `GitHub redirected ${what} to nowhere`, "try again; if it persists, check --api-url");
        url = new URL(location, url).toString();
        continue;
      }
      if (res.status !== 200) throw await this.refusal(res, url, what);
      return { res, url };
    }
    throw new GitHubApiError(310, url, `too many redirects while reading ${what}`, "check --api-url");
  }

  private repoPath(repo: RepoRef): string {
    return `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}`;
  }

  /**
   * The newest completed run of a workflow (its file name, e.g. `ci.yml`), on a branch or
   * for a commit. Runs come newest first; pages are read until one matches.
   */
  async latestCompletedRun(repo: RepoRef, q: { workflowFile: string; branch?: string; sha?: string; event?: string }): Promise<ApiRun | undefined> {
    const params = new URLSearchParams({ status: "completed", per_page: "30", exclude_pull_requests: "true" });
    if (q.sha) params.set("head_sha", q.sha);
    else if (q.branch) params.set("branch", q.branch);
    if (q.event) params.set("event", q.event);
    const what = `runs of ${q.workflowFile} in ${repo.owner}/${repo.name}`;
    let next: string | undefined = `${this.repoPath(repo)}/actions/workflows/${encodeURIComponent(q.workflowFile)}/runs?${params.toString()}`;
    for (let page = 0; next !== undefined && page < MAX_PAGES; page++) {
      const r: { body: z.infer<typeof apiRunsPageSchema>; next?: string } = await this.getJson(next, apiRunsPageSchema, what);
      // The query already filters; checked again so a server that ignores it cannot mislead.
      const hits = r.body.workflow_runs.filter(
        (run) =>
          run.status === "completed" &&
          (q.sha ? run.head_sha.startsWith(q.sha) : q.branch ? run.head_branch === q.branch : true) &&
          (!q.event || run.event === q.event),
      );
      if (hits.length) return hits.reduce((a, b) => ((b.created_at ?? "") > (a.created_at ?? "") ? b : a));
      next = r.next;
    }
    return undefined;
  }

  async run(repo: RepoRef, runId: number): Promise<ApiRun> {
    const r = await this.getJson(`${this.repoPath(repo)}/actions/runs/${runId}`, apiRunSchema, `run ${runId} in ${repo.owner}/${repo.name}`);
    return r.body;
  }

  /** Every job of a run's latest attempt (or of `attempt`), with their steps, over every page. */
  async jobs(repo: RepoRef, runId: number, attempt?: number): Promise<ApiJob[]> {
    const base = attempt === undefined ? `${this.repoPath(repo)}/actions/runs/${runId}/jobs?filter=latest&per_page=100` : `${this.repoPath(repo)}/actions/runs/${runId}/attempts/${attempt}/jobs?per_page=100`;
    const jobs: ApiJob[] = [];
    const seen = new Set<number>();
    let next: string | undefined = base;
    for (let page = 0; next !== undefined && page < MAX_PAGES; page++) {
      const r: { body: z.infer<typeof apiJobsPageSchema>; next?: string } = await this.getJson(next, apiJobsPageSchema, `the jobs of run ${runId} in ${repo.owner}/${repo.name}`);
      // A job can move to the next page while the pages are read: keep each once.
      for (const j of r.body.jobs) {
        if (seen.has(j.id)) continue;
        seen.add(j.id);
        jobs.push(j);
      }
      next = r.next;
    }
    return jobs;
  }

  /** A job's plain-text log. The API answers with a redirect to a short-lived download address. */
  async jobLog(repo: RepoRef, jobId: number): Promise<string> {
    const { res } = await this.follow(this.url(`${this.repoPath(repo)}/actions/jobs/${jobId}/logs`), "application/vnd.github+json", `the log of job ${jobId} in ${repo.owner}/${repo.name}`);
    return res.text();
  }
}
