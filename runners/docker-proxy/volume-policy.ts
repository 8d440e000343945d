// What a job's volumes may be: local ones, or tmpfs, never a host path or device.
import { Refusal, obj } from "./scope-policy.js";
import type { Json, ScopeSettings } from "./scope-policy.js";

/** Checks and labels a `POST /volumes/create` body. */
export function planVolumeCreate(input: Json, settings: ScopeSettings): Json {
  const body: Json = structuredClone(input);
  const driver = typeof body["Driver"] === "string" ? body["Driver"] : "";
  if (driver !== "" && driver !== "local") throw new Refusal(403, "no host paths", `volume driver ${driver} is not available to a replayed job`);
  const opts = obj(body["DriverOpts"]);
  const type = typeof opts["type"] === "string" ? opts["type"] : "";
  if (Object.keys(opts).length && type !== "tmpfs") {
    throw new Refusal(403, "no host paths", `local volume options other than type=tmpfs can mount host paths or devices`);
  }
  body["Labels"] = { ...obj(body["Labels"]), ...settings.labels };
  return body;
}
