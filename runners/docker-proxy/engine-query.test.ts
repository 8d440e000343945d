import { describe, expect, it } from "vitest";
import { BUILD_QUERY, COMMIT_QUERY, canonicalQuery, checkBuildQuery, checkImageCreateQuery } from "./engine-query.js";
import type { ScopeSettings } from "./scope-policy.js";

const settings: ScopeSettings = { allowPrivileged: false, labels: {}, jobContainerId: "job123", socketPath: "/tmp/s" };
const build = (q: string): URLSearchParams => canonicalQuery(new URLSearchParams(q), BUILD_QUERY, "build");
describe("a query, as the engine reads it", () => {
  it("keeps the first of a repeated single option (Go's FormValue) and every value of a list option", () => {
    expect(build("networkmode=host&networkmode=bridge&t=a&t=b").toString()).toBe("networkmode=host&t=a&t=b");
    expect(canonicalQuery(new URLSearchParams("container=mine&container=theirs&changes=A&changes=B"), COMMIT_QUERY, "commit").toString()).toBe("container=mine&changes=A&changes=B");
  });

  it("refuses an option it does not know, names matched exactly as Go does", () => {
    expect(() => build("NetworkMode=host")).toThrow('(known fields only): build option "NetworkMode"');
  });
});

describe("a build's options", () => {
  it.each([
    ["networkmode=host", "(privileged): docker build --network host"],
    ["networkmode=host&networkmode=bridge", "--network host"],
    ["cgroupparent=/", "--cgroup-parent"],
    ["securityopt=seccomp%3Dunconfined", "--security-opt seccomp=unconfined"],
    ["remote=http%3A%2F%2F127.0.0.1%3A8080%2Fctx.tar", "a build context the engine fetches from http://127.0.0.1:8080/ctx.tar"],
    ["version=2", "BuildKit builds are not served"],
  ])("refuses %s", (q, words) => {
    expect(() => checkBuildQuery(build(q), settings)).toThrow(words);
  });

  it("answers the network or container a build joins, for the caller to check it is the job's", () => {
    expect(checkBuildQuery(build("networkmode=bridge&networkmode=host"), settings)).toEqual({ kind: "none" });
    expect(checkBuildQuery(build("networkmode=ours"), settings)).toEqual({ kind: "network", name: "ours" });
    expect(checkBuildQuery(build("networkmode=container:x"), settings)).toEqual({ kind: "container", ref: "x" });
    expect(checkBuildQuery(build("networkmode=host"), { ...settings, allowPrivileged: true })).toEqual({ kind: "none" });
  });
});

describe("an image import", () => {
  it("refuses a URL the engine would fetch itself (the first fromSrc, as Go reads it), and takes stdin", () => {
    expect(() => checkImageCreateQuery(new URLSearchParams("fromSrc=http://127.0.0.1:8080/x.tar&fromSrc=-"), settings)).toThrow("(privileged): docker import from http://127.0.0.1:8080/x.tar");
    expect(() => checkImageCreateQuery(new URLSearchParams("fromSrc=-&fromSrc=http://127.0.0.1:8080/x.tar"), settings)).not.toThrow();
    expect(() => checkImageCreateQuery(new URLSearchParams("fromImage=alpine&tag=3"), settings)).not.toThrow();
  });
});
