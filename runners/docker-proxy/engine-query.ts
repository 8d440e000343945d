import { Refusal, privilegeProblems, refusePrivileged } from "./scope-policy.js";
import type { ScopeSettings } from "./scope-policy.js";

// Query strings the engine reads options from, decoded as it does (Go's url.Values: names
// are exact; `r.FormValue` takes the first of a repeated name) and re-encoded from what was
// decoded: one value for a single-valued option, only options the engine knows.

export interface QueryShape {
  /** Options read with FormValue/Form.Get: the first value counts. */
  single: readonly string[];
  /** Options read as the whole list (`r.Form["t"]`). */
  multi: readonly string[];
}

/** The options of `POST /build` (moby's newImageBuildOptions). */
export const BUILD_QUERY: QueryShape = {
  single: [
    "remote", "dockerfile", "q", "nocache", "rm", "forcerm", "pull", "squash", "memory", "memswap", "cpushares", "cpuperiod", "cpuquota",
    "cpusetcpus", "cpusetmems", "cgroupparent", "shmsize", "networkmode", "isolation", "ulimits", "buildargs", "labels", "cachefrom",
    "platform", "outputs", "version", "session", "buildid", "target",
  ],
  multi: ["t", "extrahosts", "securityopt"],
};

/** The options of `POST /commit`. */
export const COMMIT_QUERY: QueryShape = { single: ["container", "repo", "tag", "author", "comment", "pause"], multi: ["changes"] };

/** The query as the engine will read it, refusing options it does not know. */
export function canonicalQuery(query: URLSearchParams, shape: QueryShape, what: string): URLSearchParams {
  const out = new URLSearchParams();
  for (const name of new Set(query.keys())) {
    if (shape.single.includes(name)) out.set(name, query.get(name) ?? "");
    else if (shape.multi.includes(name)) for (const v of query.getAll(name)) out.append(name, v);
    else throw new Refusal(403, "known fields only", `${what} option ${JSON.stringify(name)} is not one replay's scoped Docker API knows, so it does not pass it on`);
  }
  return out;
}

/** Where a build's RUN steps would join another network or container: the caller checks it is the job's. */
export type BuildNetwork = { kind: "none" } | { kind: "network"; name: string } | { kind: "container"; ref: string };

/** Checks a build's options that reach beyond the build; answers the network it joins. */
export function checkBuildQuery(query: URLSearchParams, settings: ScopeSettings): BuildNetwork {
  const network = query.get("networkmode") ?? "";
  const problems: string[] = [];
  if (network === "host") problems.push("docker build --network host");
  if (query.get("cgroupparent")) problems.push("docker build --cgroup-parent");
  problems.push(...privilegeProblems({ SecurityOpt: query.getAll("securityopt") }).map((p) => `docker build ${p}`));
  // The engine itself fetches a remote context, over this machine's network.
  const remote = query.get("remote") ?? "";
  if (remote) problems.push(`a build context the engine fetches from ${remote}`);
  refusePrivileged(problems, settings.allowPrivileged);
  const version = query.get("version") ?? "";
  if (version !== "" && version !== "1") {
    throw new Refusal(403, "not served", "BuildKit builds are not served by replay's scoped Docker API: builds use the classic builder (DOCKER_BUILDKIT=0)");
  }
  const joins = /^container:(.+)$/.exec(network)?.[1];
  if (joins !== undefined) return { kind: "container", ref: joins };
  if (["", "default", "bridge", "none", "host"].includes(network)) return { kind: "none" };
  return { kind: "network", name: network };
}

/** `POST /images/create` (pull, import): an import from a URL is fetched by the engine, over this machine's network. */
export function checkImageCreateQuery(query: URLSearchParams, settings: ScopeSettings): void {
  // Go's r.Form.Get: the first fromSrc is the one the engine reads.
  const source = query.get("fromSrc") ?? "";
  if (source !== "" && source !== "-") refusePrivileged([`docker import from ${source}, which the engine would fetch over this machine's network`], settings.allowPrivileged);
}
