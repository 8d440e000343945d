// What a job's networks may be: bridge networks of its own, joined only by its containers.
import { Refusal, obj, refusePrivileged } from "./scope-policy.js";
import type { Json, ScopeSettings } from "./scope-policy.js";

/** Checks and labels a `POST /networks/create` body. */
export function planNetworkCreate(input: Json, settings: ScopeSettings): Json {
  const body: Json = structuredClone(input);
  const driver = typeof body["Driver"] === "string" ? body["Driver"] : "";
  if (driver !== "" && driver !== "bridge") {
    refusePrivileged([`network driver ${driver}`], settings.allowPrivileged);
  }
  if (typeof obj(body["Options"])["com.docker.network.bridge.name"] === "string") {
    refusePrivileged(["a network with the name of a host bridge"], settings.allowPrivileged);
  }
  const ipamDriver = obj(body["IPAM"])["Driver"];
  if (typeof ipamDriver === "string" && ipamDriver !== "" && ipamDriver !== "default") refusePrivileged([`IPAM driver ${ipamDriver}`], settings.allowPrivileged);
  // Swarm's and config-only networks' settings come from elsewhere on this machine.
  if (body["Ingress"] === true || body["ConfigFrom"] !== undefined || (typeof body["Scope"] === "string" && !["", "local"].includes(body["Scope"]))) {
    throw new Refusal(403, "not served", "swarm-scoped, ingress and config-from networks are not available to a replayed job");
  }
  body["Labels"] = { ...obj(body["Labels"]), ...settings.labels };
  return body;
}
