import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { caFetch, takeDeferredCa } from "./extra-ca.js";

describe("takeDeferredCa", () => {
  it("gives NODE_EXTRA_CA_CERTS back as the launcher found it, and drops its own variable", () => {
    const env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: "", REPLAY_EXTRA_CA_CERTS: "/etc/ssl/proxy.pem", PATH: "/bin" };
    takeDeferredCa(env);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: "/etc/ssl/proxy.pem", PATH: "/bin" });
  });

  it("a bundle that cannot be read is left out, as Node leaves it out: fetch still works", async () => {
    takeDeferredCa({ REPLAY_EXTRA_CA_CERTS: "/no/such/bundle.pem" });
    const server = http.createServer((_req, res) => res.end("hello"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const r = await caFetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(await r.text()).toBe("hello");
    } finally {
      server.close();
    }
  });

  it("leaves an environment the launcher did not touch as it is", () => {
    const env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: "/etc/ssl/a.pem", PATH: "/bin" };
    takeDeferredCa(env);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: "/etc/ssl/a.pem", PATH: "/bin" });
  });
});
