import type http from "node:http";
import type { Route } from "./api-route.js";
import { NETWORK_CONNECT_FIELDS, NETWORK_CREATE_FIELDS, NETWORK_DISCONNECT_FIELDS } from "./engine-schema.js";
import { forward, readJson } from "./http-forwarding.js";
import type { JobScope } from "./job-scope.js";
import { Refusal, isObject } from "./scope-policy.js";
import { checkEndpointLinks } from "./container-policy.js";
import { planNetworkCreate } from "./network-policy.js";

// Networks: the job lists, sees and changes only those it created (the predefined bridge
// and none take its own containers); the job container joins each one it creates.

export type NetworkRoute = Extract<Route, { kind: "networks-list" | "networks-create" | "networks-prune" | "network" }>;

export async function networkRoute(job: JobScope, r: NetworkRoute, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  switch (r.kind) {
    case "networks-list":
    case "networks-prune":
      return forward(job.engine, req, res, { url: job.scopedList(req) });
    case "networks-create":
      return createNetwork(job, req, res);
    case "network":
      return network(job, r.ref, r.op, req, res);
  }
}

async function createNetwork(job: JobScope, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = planNetworkCreate(await readJson(req, NETWORK_CREATE_FIELDS), job.settings);
  return forward(job.engine, req, res, {
    body: Buffer.from(JSON.stringify(body)),
    answer: async (status, created) => {
      const id = isObject(created) && typeof created["Id"] === "string" ? created["Id"] : undefined;
      if (status < 300 && id) {
        job.owned.networks.add(id);
        // The job container joins every network the job makes, as the runner VM
        // reaches every container it starts: addresses and published ports work.
        await job.engine.call("POST", `/networks/${id}/connect`, { Container: job.request.jobContainerId });
      }
      return created;
    },
  });
}

async function network(job: JobScope, ref: string, op: "inspect" | "remove" | "connect" | "disconnect", req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const predefined = ref === "bridge" || ref === "none";
  const { owner, id } = predefined ? { owner: "foreign" as const, id: ref } : await job.networkOwner(ref);
  if (owner === "missing" || !id) return forward(job.engine, req, res);
  if (op === "connect" || op === "disconnect") {
    if (owner !== "owned" && !predefined) throw new Refusal(403, "own resources only", `network ${ref} was not created by this job, so it may not ${op} containers`);
    const body = await readJson(req, op === "connect" ? NETWORK_CONNECT_FIELDS : NETWORK_DISCONNECT_FIELDS);
    const container = typeof body["Container"] === "string" ? body["Container"] : "";
    if ((await job.containerOwner(container)).owner !== "owned") {
      throw new Refusal(403, "own resources only", `container ${container} was not created by this job, so it may not ${op} it`);
    }
    await checkEndpointLinks(body["EndpointConfig"], job.lookups);
    return forward(job.engine, req, res, { body: Buffer.from(JSON.stringify(body)) });
  }
  if (owner !== "owned") {
    if (op === "inspect") throw new Refusal(404, "own resources only", `network ${ref} not found (a job sees only the networks it created)`);
    throw new Refusal(403, "own resources only", `network ${ref} was not created by this job, so it may not remove it`);
  }
  if (op === "remove") {
    // The job container joined it (see createNetwork): leave first, or the engine refuses.
    await job.engine.call("POST", `/networks/${id}/disconnect`, { Container: job.request.jobContainerId, Force: true });
    return forward(job.engine, req, res, {
      answer: (status, answer) => {
        if (status < 300) job.owned.networks.delete(id);
        return answer;
      },
    });
  }
  const jobId = job.request.jobContainerId;
  return forward(job.engine, req, res, {
    answer: (_s, info) => {
      // The job container is replay's, not something the job started: keep it out of sight.
      if (isObject(info) && isObject(info["Containers"])) delete info["Containers"][jobId];
      return info;
    },
  });
}
