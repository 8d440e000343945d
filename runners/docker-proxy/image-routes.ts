import type http from "node:http";
import type { Route } from "./api-route.js";
import { decodeEngineBody } from "./engine-json.js";
import { BUILD_QUERY, COMMIT_QUERY, canonicalQuery, checkBuildQuery, checkImageCreateQuery } from "./engine-query.js";
import { CONTAINER_CREATE_FIELDS } from "./engine-schema.js";
import { forward, readBody } from "./http-forwarding.js";
import { pathWithQuery } from "./job-scope.js";
import type { JobScope } from "./job-scope.js";
import { BUILT_BY_JOB_LABEL, BUILT_BY_RUN_LABEL, Refusal, isObject } from "./scope-policy.js";
import type { Json } from "./scope-policy.js";

// Images and builds: a job reads and tags every image, removes only what its run built or
// tagged, and labels what it builds or commits with the run and job; every tag it moves is
// remembered so that the run's end can put it back (run-docker-api.ts).

export type ImageRoute = Extract<Route, { kind: "build" | "commit" | "images-create" | "images-prune" | "image" }>;

export async function imageRoute(job: JobScope, r: ImageRoute, req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams): Promise<void> {
  switch (r.kind) {
    case "images-create":
      checkImageCreateQuery(query, job.settings);
      return forward(job.engine, req, res);
    case "images-prune":
      return forward(job.engine, req, res, { url: job.scopedList(req, `${BUILT_BY_RUN_LABEL}=${job.run.runId}`) });
    case "build":
      return build(job, req, res, query);
    case "commit":
      return commit(job, req, res, query);
    case "image":
      return image(job, r.ref, r.op, req, res, query);
  }
}

async function commit(job: JobScope, req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams): Promise<void> {
  const q = canonicalQuery(query, COMMIT_QUERY, "commit");
  const ref = q.get("container") ?? "";
  if ((await job.containerOwner(ref)).owner !== "owned") throw new Refusal(403, "own resources only", `container ${ref} was not created by this job, so it may not commit it`);
  const repo = q.get("repo");
  if (repo) await job.run.takeTag(`${repo}:${q.get("tag") || "latest"}`);
  q.append("changes", `LABEL ${BUILT_BY_RUN_LABEL}=${job.run.runId} ${BUILT_BY_JOB_LABEL}=${job.request.jobKey}`);
  // No body (the CLI's usual) keeps the container's own config: the engine reads none then.
  const raw = await readBody(req);
  const empty = ["", "null"].includes(raw.toString("utf8").trim());
  const body = empty ? Buffer.alloc(0) : Buffer.from(JSON.stringify(decodeEngineBody(raw, CONTAINER_CREATE_FIELDS)));
  return forward(job.engine, req, res, { url: pathWithQuery(req, q), body });
}

async function build(job: JobScope, req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams): Promise<void> {
  const q = canonicalQuery(query, BUILD_QUERY, "build");
  const joins = checkBuildQuery(q, job.settings);
  if (joins.kind === "network") await job.refuseUnlessOwned(job.lookups.network(joins.name), `network ${joins.name} was not created by this job, so a build may not join it`);
  if (joins.kind === "container") await job.refuseUnlessOwned(job.lookups.container(joins.ref), `container ${joins.ref} was not created by this job, so a build may not join its network`);
  for (const tag of q.getAll("t")) await job.run.takeTag(tag);
  let labels: Json = {};
  try {
    const parsed: unknown = JSON.parse(q.get("labels") ?? "{}");
    if (isObject(parsed)) labels = parsed;
  } catch {
    labels = {};
  }
  q.set("labels", JSON.stringify({ ...labels, [BUILT_BY_RUN_LABEL]: job.run.runId, [BUILT_BY_JOB_LABEL]: job.request.jobKey }));
  return forward(job.engine, req, res, { url: pathWithQuery(req, q) });
}

async function image(job: JobScope, ref: string, op: "read" | "tag" | "remove", req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams): Promise<void> {
  if (op === "tag") {
    const repo = query.get("repo") ?? "";
    if (repo) await job.run.takeTag(`${repo}:${query.get("tag") || "latest"}`);
  } else if (op === "remove" && !job.run.tookTag(ref)) {
    const info = await job.engine.json<{ Config?: { Labels?: Record<string, string> | null } }>("GET", `/images/${ref}/json`);
    if (info && info.Config?.Labels?.[BUILT_BY_RUN_LABEL] !== job.run.runId) {
      throw new Refusal(403, "own resources only", `image ${ref} was not built or tagged by this run, so the job may not remove it`);
    }
  }
  return forward(job.engine, req, res);
}
