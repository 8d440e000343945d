import type { EngineClient } from "./engine-client.js";
import type { PortMapping } from "./scope-policy.js";

// How a step reaches `docker run -p 8080:80`: on GitHub the runner VM is the Docker host, so
// localhost:8080 works. Here the job's "host" is its container. Replay publishes nothing on
// the user's machine (parallel jobs never fight over host ports, nothing is exposed on the
// LAN); instead it runs a small forwarder inside the job container's network namespace,
// listening on 8080 and connecting to the container's address on a network the job container
// shares (the job container joins every network the job creates, and the default bridge).

/** Node one-liner: listen on the port (dual stack where IPv6 is on), forward to host:port. */
export function forwarderScript(listenPort: number, bind: string, targetHost: string, targetPort: number): string {
  return [
    `const net=require("net");`,
    `const fwd=(c)=>{const u=net.connect(${targetPort},${JSON.stringify(targetHost)});c.pipe(u).pipe(c);c.on("error",()=>u.destroy());u.on("error",()=>c.destroy());};`,
    `const start=(host,fallback)=>{const s=net.createServer(fwd);`,
    `s.on("error",(e)=>{if(fallback){start(fallback,undefined);}else{console.log("error "+e.message);process.exit(1);}});`,
    `s.listen(${listenPort},host,()=>console.log("ready "+process.pid));};`,
    bind === "127.0.0.1" ? `start("127.0.0.1");` : `start("::","0.0.0.0");`,
  ].join("");
}

interface Forwarder {
  pid: string;
  mapping: PortMapping;
}

export class PortForwarders {
  private readonly byContainer = new Map<string, Forwarder[]>();

  constructor(
    private readonly engine: EngineClient,
    private readonly jobContainerId: string,
  ) {}

  /** Starts one forwarder per mapping; answers a note for each that could not start. */
  async start(containerId: string, targetIp: string, mappings: PortMapping[]): Promise<string[]> {
    await this.stop(containerId);
    const notes: string[] = [];
    const started: Forwarder[] = [];
    for (const mapping of mappings) {
      const [port = "", proto = "tcp"] = mapping.port.split("/");
      if (proto !== "tcp") {
        notes.push(`${mapping.port}: only TCP ports are forwarded to the job`);
        continue;
      }
      const bind = mapping.hostIp.startsWith("127.") ? "127.0.0.1" : "0.0.0.0";
      const out = await this.exec(["node", "-e", forwarderScript(Number(mapping.hostPort), bind, targetIp, Number(port))], /^(ready \d+|error .*)$/m);
      const pid = /ready (\d+)/.exec(out)?.[1];
      if (pid) started.push({ pid, mapping });
      else notes.push(`localhost:${mapping.hostPort} could not be forwarded to port ${port}: ${out.trim() || "the job's image has no node"}`);
    }
    this.byContainer.set(containerId, started);
    return notes;
  }

  async stop(containerId: string): Promise<void> {
    const forwarders = this.byContainer.get(containerId);
    if (!forwarders?.length) return;
    this.byContainer.delete(containerId);
    await this.exec(["kill", ...forwarders.map((f) => f.pid)], undefined).catch(() => undefined);
  }

  /** Runs a command as root in the job container; answers its output up to `until` (or its end). */
  private async exec(cmd: string[], until: RegExp | undefined): Promise<string> {
    const created = await this.engine.json<{ Id: string }>("POST", `/containers/${this.jobContainerId}/exec`, {
      Cmd: cmd,
      User: "0",
      AttachStdout: true,
      AttachStderr: true,
    });
    if (!created) return "";
    return new Promise((resolve) => {
      const req = this.engine.open("POST", `/exec/${created.Id}/start`, { "content-type": "application/json" });
      let text = "";
      const timer = setTimeout(() => finish(), 10_000);
      const finish = (): void => {
        clearTimeout(timer);
        // Leaves a forwarder running: closing the output stream does not stop the process.
        req.destroy();
        resolve(text);
      };
      req.on("error", finish);
      req.on("response", (res) => {
        res.on("data", (chunk: Buffer) => {
          text += demux(chunk);
          if (until?.test(text)) finish();
        });
        res.on("end", finish);
        res.on("error", finish);
      });
      req.end(JSON.stringify({ Detach: false, Tty: false }));
    });
  }
}

/** The text of multiplexed exec output (8-byte frame headers); good enough for short lines. */
function demux(chunk: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= chunk.length && (chunk[i] === 1 || chunk[i] === 2) && chunk[i + 1] === 0) {
    const size = chunk.readUInt32BE(i + 4);
    parts.push(chunk.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return parts.length ? Buffer.concat(parts).toString("utf8") : chunk.toString("utf8");
}
