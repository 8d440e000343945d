import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";

// Host-key checking for ssh:// engines as OpenSSH's StrictHostKeyChecking=yes does it,
// from the same files: a key is accepted when a line of ~/.ssh/known_hosts (or the
// system's /etc/ssh/ssh_known_hosts) names the host, plainly or hashed (HashKnownHosts),
// as `host` on port 22 or `[host]:port` otherwise, with that very key. Unknown hosts are
// refused, never added: replay runs unattended and cannot ask.

export type HostKeyVerdict = "known" | "unknown" | "changed" | "revoked";

/** How OpenSSH writes the host in known_hosts: a port other than 22 in brackets. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith("|1|")) {
    const [salt, hash] = pattern.slice(3).split("|");
    if (salt === undefined || hash === undefined) return false;
    return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
  }
  // Wildcards as in ssh_config: * any run, ? one character.
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return re.test(name);
}

function hostsMatch(field: string, name: string): boolean {
  let matched = false;
  for (const pattern of field.split(",")) {
    if (pattern.startsWith("!")) {
      if (patternMatches(pattern.slice(1), name)) return false;
    } else if (patternMatches(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** What the known_hosts texts say of `key` (the server's host key blob) for `name`. */
export function checkHostKey(texts: readonly string[], name: string, key: Buffer): HostKeyVerdict {
  const blob = key.toString("base64");
  let sawHost = false;
  let known = false;
  for (const text of texts) {
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) continue;
      const fields = line.split(/\s+/);
      const marker = fields[0]?.startsWith("@") ? fields.shift() : undefined;
      const [hosts, , keyField] = fields;
      if (hosts === undefined || keyField === undefined || !hostsMatch(hosts, name)) continue;
      if (marker === "@revoked" && keyField === blob) return "revoked";
      if (marker !== undefined) continue; // @cert-authority: host certificates are not checked here
      sawHost = true;
      if (keyField === blob) known = true;
    }
  }
  return known ? "known" : sawHost ? "changed" : "unknown";
}

export function readKnownHosts(files: readonly string[]): string[] {
  return files.flatMap((file) => {
    try {
      return [readFileSync(file, "utf8")];
    } catch {
      return [];
    }
  });
}
