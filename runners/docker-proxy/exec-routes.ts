import type http from "node:http";
import type { Route } from "./api-route.js";
import { forward } from "./http-forwarding.js";
import type { JobScope } from "./job-scope.js";
import { Refusal } from "./scope-policy.js";

// Execs: created through a container the job owns (container-routes.ts), then started,
// resized and inspected only by the job that created them.

export type ExecRoute = Extract<Route, { kind: "exec" }>;

export async function execRoute(job: JobScope, r: ExecRoute, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (!job.owned.execs.has(r.id)) throw new Refusal(r.op === "inspect" ? 404 : 403, "own resources only", `exec ${r.id} was not created by this job`);
  return forward(job.engine, req, res);
}

/** Whether a takeover of the connection (exec start) may go on to the engine. */
export function checkExecStart(job: JobScope, id: string): void {
  if (!job.owned.execs.has(id)) throw new Refusal(403, "own resources only", `exec ${id} was not created by this job`);
}
