import { readFile } from "node:fs/promises";
import tls from "node:tls";

/**
 * NODE_EXTRA_CA_CERTS, kept aside by the `replay` launcher (bin/replay): Node 20 parses
 * that bundle as it starts, ~90 ms of every command, though replay rarely opens a TLS
 * connection itself. The launcher empties the variable for node and passes its value in
 * REPLAY_EXTRA_CA_CERTS; takeDeferredCa puts it back for every process replay starts, and
 * caFetch adds the bundle to replay's own connections (a corporate proxy's CA, say).
 */
let deferredCaFile: string | undefined;

/** Called first thing by the CLI: the environment as the user had it. */
export function takeDeferredCa(env: NodeJS.ProcessEnv = process.env): void {
  const file = env["REPLAY_EXTRA_CA_CERTS"];
  if (file === undefined) return;
  delete env["REPLAY_EXTRA_CA_CERTS"];
  env["NODE_EXTRA_CA_CERTS"] = file;
  if (file) deferredCaFile = file;
}

type Fetch = typeof globalThis.fetch;
let caDispatcher: Promise<unknown> | undefined;

/**
 * fetch, trusting the bundle the launcher kept aside as node's would have (Node's own
 * roots and the bundle's). Without one, the global fetch.
 */
export const caFetch: Fetch = async (input, init) => {
  const file = deferredCaFile;
  if (file === undefined) return fetch(input, init);
  // undici (Node's fetch, as a package) with its own connection pool: Node 20 has no way
  // to add CAs to the global fetch after start. A bundle that cannot be read is left out,
  // as Node leaves it out (with a warning) when it starts with one.
  const undici = await import("undici");
  caDispatcher ??= readFile(file, "utf8").then(
    (bundle) => new undici.Agent({ connect: { ca: [...tls.rootCertificates, bundle] } }),
    (e: unknown) => {
      process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    },
  );
  const dispatcher = (await caDispatcher) as InstanceType<typeof undici.Agent> | undefined;
  if (dispatcher === undefined) return fetch(input, init);
  return (await undici.fetch(input as Parameters<typeof undici.fetch>[0], { ...(init as Parameters<typeof undici.fetch>[1]), dispatcher })) as unknown as Response;
};
