import type http from "node:http";
import { assertNever } from "../../common/index.js";
import type { Route } from "./api-route.js";
import { containerRoute } from "./container-routes.js";
import { execRoute } from "./exec-routes.js";
import { imageRoute } from "./image-routes.js";
import type { JobScope } from "./job-scope.js";
import { networkRoute } from "./network-routes.js";
import { systemRoute } from "./system-routes.js";
import { volumeRoute } from "./volume-routes.js";

// Which resource's handler serves a request of a job's Docker API. Each handler holds the
// policy of its resource (who owns what, what a body may ask for); this only sends it there.

export function dispatch(job: JobScope, r: Route, req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams): Promise<void> {
  switch (r.kind) {
    case "pass":
    case "refuse":
    case "events":
    case "system-df":
      return systemRoute(job, r, req, res);
    case "containers-list":
    case "containers-create":
    case "containers-prune":
    case "container":
      return containerRoute(job, r, req, res);
    case "exec":
      return execRoute(job, r, req, res);
    case "build":
    case "commit":
    case "images-create":
    case "images-prune":
    case "image":
      return imageRoute(job, r, req, res, query);
    case "networks-list":
    case "networks-create":
    case "networks-prune":
    case "network":
      return networkRoute(job, r, req, res);
    case "volumes-list":
    case "volumes-create":
    case "volumes-prune":
    case "volume":
      return volumeRoute(job, r, req, res);
    default:
      return assertNever(r, "route");
  }
}
