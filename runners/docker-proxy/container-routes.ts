import type http from "node:http";
import type { ContainerOp, Route } from "./api-route.js";
import { engineMessage } from "./engine-client.js";
import { CONTAINER_CREATE_FIELDS, CONTAINER_UPDATE_FIELDS, EXEC_CREATE_FIELDS } from "./engine-schema.js";
import { forward, readBody, readJson } from "./http-forwarding.js";
import { own } from "./job-scope.js";
import type { JobScope } from "./job-scope.js";
import { forwardPorts, showPortsInInspect, showPortsInList } from "./published-ports.js";
import { Refusal, privilegeProblems, refusePrivileged } from "./scope-policy.js";
import { planContainerCreate } from "./container-policy.js";
import { planVolumeCreate } from "./volume-policy.js";

// Containers: the job lists, sees and touches only those it created; a create is checked
// and rewritten by the scope policy; `-p` mappings are forwarded into the job when one starts.

export type ContainerRoute = Extract<Route, { kind: "containers-list" | "containers-create" | "containers-prune" | "container" }>;

const VERB: Record<ContainerOp, string> = {
  inspect: "inspect it",
  read: "read it",
  start: "start it",
  restart: "restart it",
  stop: "stop or kill it",
  remove: "remove it",
  attach: "attach to it",
  exec: "exec into it",
  "archive-put": "copy files into it",
  update: "change it",
  change: "change it",
};

export async function containerRoute(job: JobScope, r: ContainerRoute, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  switch (r.kind) {
    case "containers-list":
      return forward(job.engine, req, res, { url: job.scopedList(req), answer: (_s, list) => (Array.isArray(list) ? list.map(showPortsInList) : list) });
    case "containers-prune":
      return forward(job.engine, req, res, { url: job.scopedList(req) });
    case "containers-create":
      return createContainer(job, req, res);
    case "container":
      return container(job, r.ref, r.op, req, res);
  }
}

/** Whether a takeover of the connection (attach) may go on to the engine. */
export async function checkContainerAttach(job: JobScope, ref: string): Promise<void> {
  const { owner } = await job.containerOwner(ref);
  if (owner === "foreign") throw new Refusal(403, "own resources only", `container ${ref} was not created by this job, so it may not attach to it`);
}

async function createContainer(job: JobScope, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const plan = await planContainerCreate(await readJson(req, CONTAINER_CREATE_FIELDS), job.settings, job.lookups);
  for (const name of plan.createVolumes) {
    const answer = await job.engine.call("POST", "/volumes/create", planVolumeCreate({ Name: name }, job.settings));
    if (answer.status >= 300) throw new Refusal(answer.status, "not served", engineMessage(answer));
    job.owned.volumes.add(name);
  }
  return forward(job.engine, req, res, { body: Buffer.from(JSON.stringify(plan.body)), answer: own(job.owned.containers) });
}

async function container(job: JobScope, ref: string, op: ContainerOp, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const { owner, id } = await job.containerOwner(ref);
  // Not there at all: the engine's own answer.
  if (owner === "missing" || !id) return forward(job.engine, req, res);
  if (owner === "foreign") {
    if (op === "inspect" || op === "read") throw new Refusal(404, "own resources only", `No such container: ${ref} (a job sees and touches only the containers it created)`);
    throw new Refusal(403, "own resources only", `container ${ref} was not created by this job, so it may not ${VERB[op]}`);
  }
  switch (op) {
    case "inspect":
      return forward(job.engine, req, res, { answer: (_s, info) => showPortsInInspect(info) });
    case "exec": {
      const body = await readJson(req, EXEC_CREATE_FIELDS);
      if (body["Privileged"] === true) refusePrivileged(["docker exec --privileged"], job.settings.allowPrivileged);
      return forward(job.engine, req, res, { body: Buffer.from(JSON.stringify(body)), answer: own(job.owned.execs) });
    }
    case "update": {
      const body = await readJson(req, CONTAINER_UPDATE_FIELDS);
      refusePrivileged(privilegeProblems(body), job.settings.allowPrivileged);
      return forward(job.engine, req, res, { body: Buffer.from(JSON.stringify(body)) });
    }
    case "start":
    case "restart": {
      // Before API 1.24 the engine applied a HostConfig sent to start, past create's checks.
      const raw = (await readBody(req)).toString("utf8").trim();
      if (raw !== "" && raw !== "{}" && raw !== "null") throw new Refusal(403, "not served", "a HostConfig sent to start (API before 1.24) is not served: give it to create");
      return forward(job.engine, req, res, {
        body: Buffer.alloc(0),
        answer: async (status, answer) => {
          if (status < 300) await forwardPorts(job.engine, job.forwarders, job.portsSide, id);
          return answer;
        },
      });
    }
    case "stop":
    case "remove":
      await job.forwarders.stop(id);
      if (op === "remove") {
        // Its volumes (anonymous ones: `-v /path`, an image's VOLUME) outlive it unless the
        // removal asks (`docker rm -v`); on GitHub they go with the runner VM. They become the
        // job's own, removed with everything else it made when it ends.
        const mounts = (await job.engine.json<{ Mounts?: { Type?: string; Name?: string }[] | null }>("GET", `/containers/${id}/json`).catch(() => undefined))?.Mounts ?? [];
        return forward(job.engine, req, res, {
          answer: (status, answer) => {
            if (status < 300) {
              job.owned.containers.delete(id);
              for (const m of mounts) if (m.Type === "volume" && m.Name) job.owned.volumes.add(m.Name);
            }
            return answer;
          },
        });
      }
      return forward(job.engine, req, res);
    case "read":
    case "attach":
    case "archive-put":
    case "change":
      return forward(job.engine, req, res);
  }
}
