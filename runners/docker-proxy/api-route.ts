// What a Docker Engine API request is about, read from its method and path alone: the
// scoped API decides on this, and refuses by default whatever it does not recognise.

export type ContainerOp =
  | "inspect"
  | "read"
  | "start"
  | "restart"
  | "stop"
  | "remove"
  | "attach"
  | "exec"
  | "archive-put"
  | "update"
  | "change";

export type Route =
  | { kind: "pass" }
  | { kind: "events" }
  | { kind: "system-df" }
  | { kind: "containers-list" }
  | { kind: "containers-create" }
  | { kind: "containers-prune" }
  | { kind: "container"; ref: string; op: ContainerOp }
  | { kind: "exec"; id: string; op: "start" | "resize" | "inspect" }
  | { kind: "build" }
  | { kind: "commit" }
  | { kind: "images-create" }
  | { kind: "images-prune" }
  | { kind: "image"; ref: string; op: "read" | "tag" | "remove" }
  | { kind: "networks-list" }
  | { kind: "networks-create" }
  | { kind: "networks-prune" }
  | { kind: "network"; ref: string; op: "inspect" | "remove" | "connect" | "disconnect" }
  | { kind: "volumes-list" }
  | { kind: "volumes-create" }
  | { kind: "volumes-prune" }
  | { kind: "volume"; name: string; op: "inspect" | "remove" }
  | { kind: "refuse"; status: number; message: string };

const CONTAINER_OPS: Record<string, ContainerOp> = {
  "GET json": "inspect",
  "GET top": "read",
  "GET logs": "read",
  "GET changes": "read",
  "GET export": "read",
  "GET stats": "read",
  "GET archive": "read",
  "HEAD archive": "read",
  "PUT archive": "archive-put",
  "POST start": "start",
  "POST restart": "restart",
  "POST stop": "stop",
  "POST kill": "stop",
  "POST wait": "read",
  "POST resize": "change",
  "POST update": "update",
  "POST rename": "change",
  "POST pause": "change",
  "POST unpause": "change",
  "POST attach": "attach",
  "GET attach/ws": "attach",
  "POST exec": "exec",
};

const refuse = (status: number, message: string): Route => ({ kind: "refuse", status, message });

/** The API path without its `/v1.41` prefix, and its query. */
export function splitPath(rawUrl: string): { path: string; query: URLSearchParams } {
  const url = new URL(rawUrl, "http://docker");
  return { path: url.pathname.replace(/^\/v\d+(\.\d+)?(?=\/)/, ""), query: url.searchParams };
}

export function route(method: string, path: string): Route {
  const m = method.toUpperCase();
  const seg = path.split("/").filter((s) => s !== "").map((s) => decodeURIComponent(s));
  const [head = "", second, ...rest] = seg;
  const one = seg.length === 1;
  switch (head) {
    case "_ping":
    case "version":
    case "info":
    case "auth":
    case "distribution":
      return { kind: "pass" };
    case "events":
      return { kind: "events" };
    case "system":
      return second === "df" ? { kind: "system-df" } : refuse(403, `${path} is not served by replay's scoped Docker API`);
    case "containers":
      if (second === "json" && seg.length === 2) return { kind: "containers-list" };
      if (second === "create" && seg.length === 2) return { kind: "containers-create" };
      if (second === "prune" && seg.length === 2) return { kind: "containers-prune" };
      if (second !== undefined) {
        if (rest.length === 0 && m === "DELETE") return { kind: "container", ref: second, op: "remove" };
        const op = CONTAINER_OPS[`${m} ${rest.join("/")}`];
        if (op) return { kind: "container", ref: second, op };
      }
      break;
    case "exec":
      if (second !== undefined && rest.length === 1) {
        const op = rest[0] === "start" ? "start" : rest[0] === "resize" ? "resize" : rest[0] === "json" ? "inspect" : undefined;
        if (op) return { kind: "exec", id: second, op };
      }
      break;
    case "build":
      if (one) return { kind: "build" };
      return refuse(403, "the build cache is shared by everything on this machine: replay's scoped Docker API does not prune or cancel builds");
    case "commit":
      return { kind: "commit" };
    case "images": {
      // Image names have slashes of their own: /images/ghcr.io/o/app:1/json.
      const tail = seg.slice(1).join("/");
      if (tail === "create") return { kind: "images-create" };
      if (["json", "search", "load", "get"].includes(tail)) return { kind: "pass" };
      if (tail === "prune") return { kind: "images-prune" };
      if (m === "DELETE" && tail) return { kind: "image", ref: tail, op: "remove" };
      const action = /^(.+)\/(json|history|get|push|tag)$/.exec(tail);
      if (action?.[1] && action[2]) return { kind: "image", ref: action[1], op: action[2] === "tag" ? "tag" : "read" };
      break;
    }
    case "networks":
      if (one && m === "GET") return { kind: "networks-list" };
      if (second === "create" && seg.length === 2) return { kind: "networks-create" };
      if (second === "prune" && seg.length === 2) return { kind: "networks-prune" };
      if (second !== undefined && rest.length === 0) return { kind: "network", ref: second, op: m === "DELETE" ? "remove" : "inspect" };
      if (second !== undefined && (rest[0] === "connect" || rest[0] === "disconnect") && rest.length === 1) return { kind: "network", ref: second, op: rest[0] };
      break;
    case "volumes":
      if (one && m === "GET") return { kind: "volumes-list" };
      if (second === "create" && seg.length === 2) return { kind: "volumes-create" };
      if (second === "prune" && seg.length === 2) return { kind: "volumes-prune" };
      if (second !== undefined && rest.length === 0 && (m === "GET" || m === "DELETE")) return { kind: "volume", name: second, op: m === "DELETE" ? "remove" : "inspect" };
      break;
    case "session":
    case "grpc":
      return refuse(403, "BuildKit sessions are not served by replay's scoped Docker API: builds use the classic builder (DOCKER_BUILDKIT=0)");
    case "swarm":
    case "services":
    case "nodes":
    case "tasks":
    case "secrets":
    case "configs":
      return refuse(403, "swarm mode is not available to a replayed job");
    case "plugins":
      return refuse(403, "engine plugins are shared by everything on this machine: a replayed job may not list or change them");
  }
  return refuse(403, `${m} ${path} is not served by replay's scoped Docker API`);
}
