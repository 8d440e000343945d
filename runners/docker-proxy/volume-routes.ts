import type http from "node:http";
import type { Route } from "./api-route.js";
import { VOLUME_CREATE_FIELDS } from "./engine-schema.js";
import { forward, readJson } from "./http-forwarding.js";
import { own } from "./job-scope.js";
import type { JobScope } from "./job-scope.js";
import { Refusal } from "./scope-policy.js";
import { planVolumeCreate } from "./volume-policy.js";

// Volumes: the job lists, sees and removes only those it created; a create is checked by
// the scope policy (no driver or option that reaches a host path) and labelled.

export type VolumeRoute = Extract<Route, { kind: "volumes-list" | "volumes-create" | "volumes-prune" | "volume" }>;

export async function volumeRoute(job: JobScope, r: VolumeRoute, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  switch (r.kind) {
    case "volumes-list":
    case "volumes-prune":
      return forward(job.engine, req, res, { url: job.scopedList(req) });
    case "volumes-create": {
      const body = planVolumeCreate(await readJson(req, VOLUME_CREATE_FIELDS), job.settings);
      return forward(job.engine, req, res, { body: Buffer.from(JSON.stringify(body)), answer: own(job.owned.volumes, "Name") });
    }
    case "volume": {
      const owner = await job.volumeOwner(r.name);
      if (owner === "foreign") {
        if (r.op === "inspect") throw new Refusal(404, "own resources only", `get ${r.name}: no such volume (a job sees only the volumes it created)`);
        throw new Refusal(403, "own resources only", `volume ${r.name} was not created by this job, so it may not remove it`);
      }
      if (r.op === "remove") job.owned.volumes.delete(r.name);
      return forward(job.engine, req, res);
    }
  }
}
