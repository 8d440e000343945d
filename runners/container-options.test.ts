import { describe, expect, it } from "vitest";
import { refusal } from "../tests/support/refusal.js";
import { parseContainerOptions } from "./container-options.js";

describe("parseContainerOptions", () => {
  it("reads the health flags GitHub's service examples use", () => {
    const o = parseContainerOptions(`--health-cmd "redis-cli ping" --health-interval 10s --health-timeout 5s --health-retries 5 --health-start-period 1m30s`);
    expect(o.healthcheck).toEqual({ test: ["CMD-SHELL", "redis-cli ping"], intervalNs: 10e9, timeoutNs: 5e9, retries: 5, startPeriodNs: 90e9 });
  });

  it.each([
    ["-e A=1 --env B=two", { env: { A: "1", B: "two" } }],
    ["--entrypoint /bin/sh --user 1000:1000 --workdir /w", { entrypoint: "/bin/sh", user: "1000:1000", workdir: "/w" }],
    ["--memory 512m --cpus 1.5 --shm-size 2g", { memoryBytes: 512 * 1024 ** 2, nanoCpus: 1.5e9, shmSizeBytes: 2 * 1024 ** 3 }],
    ["--tmpfs /run:rw --cap-add NET_ADMIN -v data:/data --label a=b", { tmpfs: { "/run": "rw" }, capAdd: ["NET_ADMIN"], volumes: ["data:/data"], labels: { a: "b" } }],
    ["--health-cmd=pg_isready", { healthcheck: { test: ["CMD-SHELL", "pg_isready"] } }],
    ["--no-healthcheck", { healthcheck: { test: ["NONE"] } }],
  ])("reads %s", (options, expected) => {
    expect(parseContainerOptions(options)).toMatchObject(expected);
  });

  it("accepts flags replay manages itself and says it ignores them", () => {
    const o = parseContainerOptions("--network host -p 80:80 --rm --health-retries 3");
    expect(o.ignored).toHaveLength(3);
    expect(o.healthcheck?.retries).toBe(3);
  });

  it.each([
    ["--frobnicate", "not supported"],
    ["--health-interval soon", "a duration"],
    ["--health-retries 2.5", "a whole number"],
    ["--memory lots", "a size"],
    ["--entrypoint", "needs a value"],
  ])("refuses %s", (options, message) => {
    expect(refusal(() => parseContainerOptions(options)).message).toContain(message);
  });
});
