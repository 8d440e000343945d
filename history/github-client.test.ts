import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveGitHubFixture } from "../tests/support/github-fixture-server.js";
import type { FixtureServer } from "../tests/support/github-fixture-server.js";
import { GitHubApiError, GitHubClient, nextLink } from "./github-client.js";
import { ghHostnameFor, resolveGitHubToken } from "./github-token.js";

const repo = { owner: "acme", name: "ggen-lite" };
const realFetch = (url: string, init?: RequestInit): Promise<Response> => fetch(url, init);

async function refusal(p: Promise<unknown>): Promise<GitHubApiError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof GitHubApiError)) throw new Error(`expected a GitHubApiError, got ${String(e)}`);
  return e;
}

describe("GitHubClient against the recorded rust-gates API", () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await serveGitHubFixture("rust-gates");
  });
  afterAll(() => server.close());
  const client = (token?: string): GitHubClient => new GitHubClient({ apiUrl: server.url, fetch: realFetch, ...(token ? { token, tokenSource: "GH_TOKEN" } : {}) });

  it("finds the newest completed run of the workflow on the branch", async () => {
    const run = await client("t0ken").latestCompletedRun(repo, { workflowFile: "fast-feedback.yml", branch: "main" });
    expect(run).toMatchObject({ id: 10482213377, head_sha: "3f9c2a7e5b1d4c8a9e0f6b2d7c1a5e8f9b0c3d4e", conclusion: "failure" });
    const asked = server.requests.at(-1)?.url ?? "";
    expect(asked).toMatch(/^\/repos\/acme\/ggen-lite\/actions\/workflows\/fast-feedback\.yml\/runs\?/);
    expect(new URL(asked, "http://x").searchParams.get("branch")).toBe("main");
    expect(new URL(asked, "http://x").searchParams.get("status")).toBe("completed");
  });

  it("picks by commit with a sha", async () => {
    const run = await client("t0ken").latestCompletedRun(repo, { workflowFile: "fast-feedback.yml", sha: "0a1b2c3" });
    expect(run?.id).toBe(10471190021);
  });

  it("answers undefined when no run matches", async () => {
    expect(await client("t0ken").latestCompletedRun(repo, { workflowFile: "fast-feedback.yml", branch: "feature" })).toBeUndefined();
  });

  it("lists the latest attempt's jobs with their steps", async () => {
    const jobs = await client("t0ken").jobs(repo, 10482213377);
    expect(jobs.map((j) => [j.name, j.steps?.length])).toEqual([["fast-feedback", 10], ["lint-strict", 6]]);
    expect(new URL(server.requests.at(-1)?.url ?? "", "http://x").searchParams.get("filter")).toBe("latest");
  });

  it("follows the logs endpoint's redirect to the plain text", async () => {
    const log = await client("t0ken").jobLog(repo, 29347710188);
    expect(log).toContain("##[error]unwrap/expect found in production code");
    const [logs, blob] = server.requests.slice(-2);
    expect(logs?.url).toBe("/repos/acme/ggen-lite/actions/jobs/29347710188/logs");
    expect(blob?.url).toBe("/_blobs/job-29347710188.txt");
  });

  it("sends the token as a Bearer header", async () => {
    await client("t0ken").jobs(repo, 10482213377);
    expect(server.requests.at(-1)?.authorization).toBe("Bearer t0ken");
  });

  it("without a token, 401 says to set GH_TOKEN", async () => {
    const e = await refusal(client().jobs(repo, 10482213377));
    expect(e.status).toBe(401);
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain("GitHub wants a token");
    expect(e.hint).toContain("GH_TOKEN");
  });

  it("404 says what to check", async () => {
    const e = await refusal(client("t0ken").jobs({ owner: "acme", name: "nope" }, 1));
    expect(e.status).toBe(404);
    expect(e.message).toBe("GitHub found nothing for the jobs of run 1 in acme/nope (404 Not Found)");
    expect(e.hint).toMatch(/--repo owner\/name/);
    expect(e.hint).toMatch(/--api-url/);
  });
});

/** A loopback server answering each request with the next of `answers`. */
async function scripted(answers: ((req: http.IncomingMessage, base: string) => { status: number; headers?: Record<string, string>; body?: string })[]): Promise<{ url: string; seen: http.IncomingHttpHeaders[]; urls: string[]; close: () => Promise<void> }> {
  const seen: http.IncomingHttpHeaders[] = [];
  const urls: string[] = [];
  let base = "";
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    urls.push(req.url ?? "");
    const a = answers.shift();
    const r = a ? a(req, base) : { status: 500, body: "no more answers" };
    res.writeHead(r.status, { "content-type": "application/json", ...(r.headers ?? {}) });
    res.end(r.body ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, seen, urls, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const job = (id: number): Record<string, unknown> => ({ id, name: `job ${id}`, status: "completed", conclusion: "success", steps: [] });

describe("GitHubClient: pages, limits and redirects", () => {
  it("reads every page a Link header names", async () => {
    const s = await scripted([
      (_r, base) => ({ status: 200, headers: { link: `<${base}/page2?per_page=100&page=2>; rel="next", <${base}/page2?page=2>; rel="last"` }, body: JSON.stringify({ total_count: 3, jobs: [job(1), job(2)] }) }),
      () => ({ status: 200, body: JSON.stringify({ total_count: 3, jobs: [job(3)] }) }),
    ]);
    try {
      const jobs = await new GitHubClient({ apiUrl: s.url, token: "t", fetch: realFetch }).jobs(repo, 5);
      expect(jobs.map((j) => j.id)).toEqual([1, 2, 3]);
      expect(s.urls[1]).toBe("/page2?per_page=100&page=2");
    } finally {
      await s.close();
    }
  });

  it.each([
    ["403 with X-RateLimit-Remaining 0", 403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1800000600", "x-ratelimit-limit": "5000" }, "it resets at 2027-01-15T08:10:00.000Z (in 10 min)"],
    ["429 with Retry-After", 429, { "retry-after": "120" }, "(in 2 min)"],
  ])("%s says when the limit resets", async (_what, status, headers, when) => {
    const s = await scripted([() => ({ status, headers, body: JSON.stringify({ message: "API rate limit exceeded" }) })]);
    try {
      const client = new GitHubClient({ apiUrl: s.url, token: "t", fetch: realFetch, now: () => 1_800_000_000_000 });
      const e = await refusal(client.jobs(repo, 5));
      expect(e.message).toContain("rate limit");
      expect(e.message).toContain(when);
      expect(e.hint).toContain("--offline");
    } finally {
      await s.close();
    }
  });

  it("without a token, a used-up limit says a token gives more", async () => {
    const s = await scripted([() => ({ status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1800000060" }, body: "{}" })]);
    try {
      const e = await refusal(new GitHubClient({ apiUrl: s.url, fetch: realFetch, now: () => 1_800_000_000_000 }).jobs(repo, 5));
      expect(e.hint).toContain("GH_TOKEN");
    } finally {
      await s.close();
    }
  });

  it("403 without a used-up limit is about the token's access", async () => {
    const s = await scripted([() => ({ status: 403, headers: { "x-ratelimit-remaining": "4999" }, body: JSON.stringify({ message: "Resource not accessible by integration" }) })]);
    try {
      const e = await refusal(new GitHubClient({ apiUrl: s.url, token: "t", tokenSource: "GITHUB_TOKEN", fetch: realFetch }).jobs(repo, 5));
      expect(e.message).toContain("403 Resource not accessible by integration");
      expect(e.hint).toContain("Actions: read");
      expect(e.hint).toContain("GITHUB_TOKEN");
    } finally {
      await s.close();
    }
  });

  it("401 with a token says it is expired or revoked", async () => {
    const s = await scripted([() => ({ status: 401, body: JSON.stringify({ message: "Bad credentials" }) })]);
    try {
      const e = await refusal(new GitHubClient({ apiUrl: s.url, token: "t", tokenSource: "GH_TOKEN", fetch: realFetch }).jobs(repo, 5));
      expect(e.message).toBe("GitHub rejected the token from GH_TOKEN (401 Bad credentials) while reading the jobs of run 5 in acme/ggen-lite");
    } finally {
      await s.close();
    }
  });

  it("does not send the token to a log's download address on another host", async () => {
    const blob = await scripted([() => ({ status: 200, headers: { "content-type": "text/plain" }, body: "the log\n" })]);
    const api = await scripted([() => ({ status: 302, headers: { location: `${blob.url.replace("127.0.0.1", "localhost")}/blob?sig=x` } })]);
    try {
      const log = await new GitHubClient({ apiUrl: api.url, token: "secret", fetch: realFetch }).jobLog(repo, 7);
      expect(log).toBe("the log\n");
      expect(api.seen[0]?.authorization).toBe("Bearer secret");
      expect(blob.seen[0]?.authorization).toBeUndefined();
    } finally {
      await api.close();
      await blob.close();
    }
  });

  it("an address that does not answer is a message, not a crash", async () => {
    const s = await scripted([]);
    await s.close();
    const e = await refusal(new GitHubClient({ apiUrl: s.url, token: "t", fetch: realFetch }).jobs(repo, 5));
    expect(e.message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:\d+/);
    expect(e.hint).toContain("--offline");
  });

  it("an answer that is not the REST API's points at --api-url", async () => {
    const s = await scripted([() => ({ status: 200, headers: { "content-type": "text/html" }, body: "<html>sign in</html>" })]);
    try {
      const e = await refusal(new GitHubClient({ apiUrl: s.url, token: "t", fetch: realFetch }).jobs(repo, 5));
      expect(e.hint).toContain("/api/v3");
    } finally {
      await s.close();
    }
  });
});

describe("nextLink", () => {
  it.each([
    [null, undefined],
    ['<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last"', "https://api.github.com/x?page=2"],
    ['<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel="next"', "https://api.github.com/x?page=3"],
    ['<https://api.github.com/x?page=1>; rel="first"', undefined],
  ])("%s → %s", (link, next) => expect(nextLink(link)).toBe(next));
});

describe("resolveGitHubToken", () => {
  const noGh = async (): Promise<undefined> => undefined;
  it.each<[string, Record<string, string>, string | undefined, string | undefined]>([
    ["GH_TOKEN first", { GH_TOKEN: "a", GITHUB_TOKEN: "b" }, "gh-token", "GH_TOKEN"],
    ["then GITHUB_TOKEN", { GITHUB_TOKEN: "b" }, "gh-token", "GITHUB_TOKEN"],
    ["then gh auth token", {}, "gh-token", "gh auth token (github.com)"],
    ["an empty variable does not count", { GH_TOKEN: " " }, "gh-token", "gh auth token (github.com)"],
    ["none at all", {}, undefined, undefined],
  ])("%s", async (_what, env, fromGh, source) => {
    const found = await resolveGitHubToken(env, "https://api.github.com", async () => fromGh);
    expect(found?.source).toBe(source);
  });

  it("asks gh for the Enterprise Server's host", async () => {
    const hosts: string[] = [];
    await resolveGitHubToken({}, "https://ghe.example.com/api/v3", async (h) => (hosts.push(h), undefined));
    expect(hosts).toEqual(["ghe.example.com"]);
    expect(ghHostnameFor("https://api.github.com")).toBe("github.com");
    expect(await resolveGitHubToken({}, "https://api.github.com", noGh)).toBeUndefined();
  });
});
