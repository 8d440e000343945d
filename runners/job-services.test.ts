import { describe, expect, it } from "vitest";
import { refusal } from "../tests/support/refusal.js";
import { parseContainerOptions } from "./container-options.js";
import { containerDefinition, healthTimeoutMs, parsePorts } from "./job-services.js";

describe("parsePorts", () => {
  it.each([
    [["6379:6379"], [{ containerPort: "6379", hostPort: "6379" }]],
    [["8080:80"], [{ containerPort: "80", hostPort: "8080" }]],
    [["5432"], [{ containerPort: "5432", hostPort: "5432" }]],
    [["127.0.0.1:8080:80/tcp"], [{ containerPort: "80", hostPort: "8080" }]],
  ])("%j", (ports, expected) => {
    expect(parsePorts(ports)).toEqual(expected);
  });

  it("refuses what is not a port", () => {
    expect(refusal(() => parsePorts(["http"])).message).toContain("'http'");
  });
});

describe("containerDefinition", () => {
  it("reads the string and the mapping forms", () => {
    expect(containerDefinition("node:20", "container").image).toBe("node:20");
    const d = containerDefinition(
      { image: "postgres:16", env: { POSTGRES_PASSWORD: "pw", PORT: 5432 }, ports: [5432], options: "--health-cmd pg_isready", credentials: { username: "u", password: "p" } },
      "service 'db'",
    );
    expect(d).toMatchObject({ image: "postgres:16", env: { POSTGRES_PASSWORD: "pw", PORT: "5432" }, ports: ["5432"], credentials: { username: "u", password: "p" } });
    expect(d.options.healthcheck?.test).toEqual(["CMD-SHELL", "pg_isready"]);
  });

  it("refuses an empty image (an expression that evaluated to nothing)", () => {
    expect(refusal(() => containerDefinition({ image: "" }, "service 'db'")).message).toContain("service 'db'");
  });
});

describe("healthTimeoutMs", () => {
  it("allows what the health check's own settings allow, plus a margin", () => {
    expect(healthTimeoutMs(parseContainerOptions("--health-cmd x --health-interval 2s --health-timeout 2s --health-retries 15"))).toBe(15 * 4000 + 10_000);
    expect(healthTimeoutMs(parseContainerOptions(""))).toBe(60_000);
  });
});
