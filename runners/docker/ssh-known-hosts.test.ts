import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkHostKey, knownHostsName } from "./ssh-known-hosts.js";

const key = Buffer.from("the host key blob");
const other = Buffer.from("another key");
const b64 = key.toString("base64");
const hashed = (name: string): string => {
  const salt = Buffer.from("0123456789abcdefghij");
  return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
};

describe("known_hosts", () => {
  it.each([
    ["port 22 is the bare host", "build-box", 22, "build-box"],
    ["another port is bracketed", "127.0.0.1", 2222, "[127.0.0.1]:2222"],
  ])("%s", (_, host, port, name) => expect(knownHostsName(host, port)).toBe(name));

  it.each<[string, string, string, Buffer, string]>([
    ["a plain line", `build-box ssh-ed25519 ${b64}`, "build-box", key, "known"],
    ["a bracketed host with a port", `[127.0.0.1]:2222 ssh-ed25519 ${b64}`, "[127.0.0.1]:2222", key, "known"],
    ["the same host on another port is another host", `[127.0.0.1]:2222 ssh-ed25519 ${b64}`, "[127.0.0.1]:2223", key, "unknown"],
    ["one of a comma list", `a,build-box,10.0.0.2 ssh-ed25519 ${b64}`, "10.0.0.2", key, "known"],
    ["a hashed entry", `${hashed("[h]:2222")} ssh-ed25519 ${b64}`, "[h]:2222", key, "known"],
    ["a wildcard", `*.example.com ssh-ed25519 ${b64}`, "ci.example.com", key, "known"],
    ["a negated pattern", `*.example.com,!ci.example.com ssh-ed25519 ${b64}`, "ci.example.com", key, "unknown"],
    ["the host with another key", `build-box ssh-ed25519 ${b64}`, "build-box", other, "changed"],
    ["a revoked key", `@revoked * ssh-ed25519 ${b64}\nbuild-box ssh-ed25519 ${b64}`, "build-box", key, "revoked"],
    ["comments and blank lines", `# build-box ssh-ed25519 ${b64}\n\n`, "build-box", key, "unknown"],
  ])("%s", (_, text, name, offered, verdict) => expect(checkHostKey([text], name, offered)).toBe(verdict));
});
