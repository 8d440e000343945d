import type http from "node:http";
import type { Route } from "./api-route.js";
import { forward } from "./http-forwarding.js";
import type { JobScope } from "./job-scope.js";
import { Refusal, SCOPE_LABEL, isObject } from "./scope-policy.js";

// The engine itself: ping, version, info and auth go through as they are; events and
// disk usage show only what the job created; what the router does not know is refused.

export type SystemRoute = Extract<Route, { kind: "pass" | "refuse" | "events" | "system-df" }>;

export async function systemRoute(job: JobScope, r: SystemRoute, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  switch (r.kind) {
    case "pass":
      return forward(job.engine, req, res);
    case "refuse":
      throw new Refusal(r.status, "not served", r.message);
    case "events":
      return forward(job.engine, req, res, { url: job.scopedList(req) });
    case "system-df":
      return forward(job.engine, req, res, { answer: (_s, df) => scopedDf(job.scope, df) });
  }
}

function scopedDf(scope: string, df: unknown): unknown {
  if (!isObject(df)) return df;
  const ours = (x: unknown): boolean => isObject(x) && isObject(x["Labels"]) && x["Labels"][SCOPE_LABEL] === scope;
  if (Array.isArray(df["Containers"])) df["Containers"] = df["Containers"].filter(ours);
  if (Array.isArray(df["Volumes"])) df["Volumes"] = df["Volumes"].filter(ours);
  return df;
}
