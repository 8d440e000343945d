import { describe, expect, it } from "vitest";
import { takeDeferredCa } from "./extra-ca.js";

describe("takeDeferredCa", () => {
  it("gives NODE_EXTRA_CA_CERTS back as the launcher found it, and drops its own variable", () => {
    const env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: "", REPLAY_EXTRA_CA_CERTS: "/etc/ssl/proxy.pem", PATH: "/bin" };
    takeDeferredCa(env);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: "/etc/ssl/proxy.pem", PATH: "/bin" });
  });

  it("leaves an environment the launcher did not touch as it is", () => {
    const env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: "/etc/ssl/a.pem", PATH: "/bin" };
    takeDeferredCa(env);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: "/etc/ssl/a.pem", PATH: "/bin" });
  });
});
