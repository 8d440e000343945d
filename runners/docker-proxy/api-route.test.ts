import { describe, expect, it } from "vitest";
import { route, splitPath } from "./api-route.js";

describe("route", () => {
  it.each([
    ["GET", "/_ping", { kind: "pass" }],
    ["GET", "/version", { kind: "pass" }],
    ["GET", "/events", { kind: "events" }],
    ["GET", "/containers/json", { kind: "containers-list" }],
    ["POST", "/containers/create", { kind: "containers-create" }],
    ["POST", "/containers/prune", { kind: "containers-prune" }],
    ["GET", "/containers/web/json", { kind: "container", ref: "web", op: "inspect" }],
    ["GET", "/containers/web/logs", { kind: "container", ref: "web", op: "read" }],
    ["POST", "/containers/web/wait", { kind: "container", ref: "web", op: "read" }],
    ["POST", "/containers/web/exec", { kind: "container", ref: "web", op: "exec" }],
    ["POST", "/containers/web/attach", { kind: "container", ref: "web", op: "attach" }],
    ["POST", "/containers/web/kill", { kind: "container", ref: "web", op: "stop" }],
    ["DELETE", "/containers/web", { kind: "container", ref: "web", op: "remove" }],
    ["PUT", "/containers/web/archive", { kind: "container", ref: "web", op: "archive-put" }],
    ["POST", "/exec/abc/start", { kind: "exec", id: "abc", op: "start" }],
    ["GET", "/exec/abc/json", { kind: "exec", id: "abc", op: "inspect" }],
    ["POST", "/build", { kind: "build" }],
    ["POST", "/commit", { kind: "commit" }],
    ["GET", "/images/json", { kind: "pass" }],
    ["POST", "/images/create", { kind: "images-create" }],
    ["GET", "/images/ghcr.io/o/app:1/json", { kind: "image", ref: "ghcr.io/o/app:1", op: "read" }],
    ["POST", "/images/app:1/tag", { kind: "image", ref: "app:1", op: "tag" }],
    ["DELETE", "/images/ghcr.io/o/app:1", { kind: "image", ref: "ghcr.io/o/app:1", op: "remove" }],
    ["POST", "/images/prune", { kind: "images-prune" }],
    ["GET", "/networks", { kind: "networks-list" }],
    ["POST", "/networks/create", { kind: "networks-create" }],
    ["DELETE", "/networks/n1", { kind: "network", ref: "n1", op: "remove" }],
    ["POST", "/networks/n1/connect", { kind: "network", ref: "n1", op: "connect" }],
    ["GET", "/volumes", { kind: "volumes-list" }],
    ["POST", "/volumes/create", { kind: "volumes-create" }],
    ["DELETE", "/volumes/data", { kind: "volume", name: "data", op: "remove" }],
  ])("%s %s", (method, path, expected) => {
    expect(route(method, path)).toEqual(expected);
  });

  it.each([
    ["POST", "/session", "BuildKit"],
    ["POST", "/grpc", "BuildKit"],
    ["POST", "/swarm/init", "swarm"],
    ["GET", "/plugins", "plugins"],
    ["POST", "/build/prune", "build cache"],
    ["POST", "/system/prune", "not served"],
    ["POST", "/something/new", "not served"],
  ])("refuses %s %s, saying why", (method, path, words) => {
    const r = route(method, path);
    expect(r.kind).toBe("refuse");
    expect(r.kind === "refuse" ? r.message : "").toContain(words);
  });

  it("reads the path without its API version and the query", () => {
    const { path, query } = splitPath("/v1.41/containers/json?all=1&filters=%7B%7D");
    expect(path).toBe("/containers/json");
    expect(query.get("all")).toBe("1");
    expect(query.get("filters")).toBe("{}");
  });
});
