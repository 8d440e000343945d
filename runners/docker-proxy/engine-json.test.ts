import { describe, expect, it } from "vitest";
import { decodeEngineBody, foldKey, parseEngineJson } from "./engine-json.js";
import type { Kind } from "./engine-json.js";
import * as schema from "./engine-schema.js";
import { EXEC_CREATE_FIELDS } from "./engine-schema.js";
import { Refusal } from "./scope-policy.js";

const decode = (raw: string, fields = schema.CONTAINER_CREATE_FIELDS): unknown => decodeEngineBody(raw, fields);
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof Refusal) return e.message;
    throw e;
  }
  return "not refused";
};

describe("Go's key matching", () => {
  it.each([
    ["Privileged", "privileged"],
    ["PRIVILEGED", "privileged"],
    ["SecurityOpt", "securityopt"],
    // Go folds the Kelvin sign onto k and the long s onto s.
    ["Lin\u212as", "links"],
    ["\u017fecurityopt", "securityopt"],
  ])("folds %s as %s", (key, folded) => {
    expect(foldKey(key)).toBe(folded);
  });

  it("leaves other letters alone (İ is not i to Go's decoder)", () => {
    expect(foldKey("Pr\u0130vileged")).not.toBe("privileged");
    expect(refusal(() => decode('{"HostConfig":{"Pr\u0130vileged":true}}'))).toContain("(known fields only)");
  });

  it("matches a struct's fields case-insensitively and names them canonically", () => {
    expect(decode('{"image":"app","HOSTCONFIG":{"networkmode":"bridge","\\u0070rivileged":true,"mounts":[{"type":"volume","TARGET":"/x"}]}}')).toEqual({
      Image: "app",
      HostConfig: { NetworkMode: "bridge", Privileged: true, Mounts: [{ Type: "volume", Target: "/x" }] },
    });
  });

  it("keeps map keys exactly (labels, options)", () => {
    expect(decode('{"Labels":{"A":"1","a":"2"}}')).toEqual({ Labels: { A: "1", a: "2" } });
  });
});

describe("repeated keys, as Go decodes them", () => {
  it.each<[string, string, unknown]>([
    ["a later scalar replaces", '{"HostConfig":{"Privileged":false,"privileged":true}}', { HostConfig: { Privileged: true } }],
    ["null leaves a plain value as it was", '{"HostConfig":{"Privileged":true,"privileged":null}}', { HostConfig: { Privileged: true } }],
    ["null empties a pointer", '{"HostConfig":{"Init":true,"init":null}}', { HostConfig: {} }],
    ["a later struct fills in the earlier", '{"HostConfig":{"Privileged":true},"hostconfig":{"Memory":1}}', { HostConfig: { Privileged: true, Memory: 1 } }],
    ["map entries add up", '{"Labels":{"a":"1"},"labels":{"b":"2"}}', { Labels: { a: "1", b: "2" } }],
    ["a later list decodes into the earlier one's elements", '{"HostConfig":{"Mounts":[{"Type":"bind","Source":"/"}],"mounts":[{"Target":"/h"}]}}', { HostConfig: { Mounts: [{ Type: "bind", Source: "/", Target: "/h" }] } }],
    ["a shorter list cuts the earlier one", '{"HostConfig":{"Binds":["a:/a","b:/b"],"binds":["c:/c"]}}', { HostConfig: { Binds: ["c:/c"] } }],
    ["a repeated exact key too", '{"Image":"a","Image":"b"}', { Image: "b" }],
  ])("%s", (_what, raw, want) => {
    expect(decode(raw)).toEqual(want);
  });

  it("reads docker's string-or-list fields both ways", () => {
    expect(decode('{"HostConfig":{"CapAdd":"SYS_ADMIN","CapDrop":null},"Cmd":"true"}')).toEqual({ HostConfig: { CapAdd: ["SYS_ADMIN"], CapDrop: [] }, Cmd: ["true"] });
  });
});

describe("what is not understood is refused", () => {
  it.each([
    ["an unknown field", '{"HostConfig":{"Privileged2":true}}', "(known fields only): HostConfig.Privileged2"],
    ["the deprecated top-level HostConfig the engine reads when HostConfig is missing", '{"Image":"x","Privileged":true}', "(known fields only): Privileged"],
    ["a wrong type", '{"HostConfig":{"Privileged":"true"}}', "HostConfig.Privileged should be true or false"],
    ["a fraction where Go wants an integer", '{"HostConfig":{"Memory":1.5}}', "HostConfig.Memory should be a whole number"],
    ["trailing data", '{"Image":"x"} {"HostConfig":{"Privileged":true}}', "more after the value"],
    ["a trailing comma", '{"Image":"x",}', "not JSON"],
    ["a comment", '{"Image":"x" /* */}', "not JSON"],
  ])("%s", (_what, raw, words) => {
    expect(refusal(() => decode(raw))).toContain(words);
  });

  it("accepts an empty body and null as empty", () => {
    expect(decode("")).toEqual({});
    expect(decode(" null ")).toEqual({});
  });

  it("turns a lone surrogate into U+FFFD, as Go does", () => {
    expect(decode('{"Image":"a\\ud800"}')).toEqual({ Image: "a\ufffd" });
  });

  it("parses every JSON value form", () => {
    expect(parseEngineJson('[1,-2.5e3,"x",true,false,null,{}]')).toMatchObject({ t: "array" });
  });
});

describe("the schema", () => {
  // Go prefers an exact match only when two fields fold alike: none may, or the fold would be ambiguous.
  const structs = (fields: Record<string, Kind>, out: Record<string, Kind>[] = []): Record<string, Kind>[] => {
    out.push(fields);
    const walk = (k: Kind): void => {
      if (k.t === "struct") structs(k.fields, out);
      else if (k.t === "ptr") walk(k.to);
      else if (k.t === "list" || k.t === "array" || k.t === "map") walk(k.of);
    };
    Object.values(fields).forEach(walk);
    return out;
  };
  it.each(Object.entries(schema))("%s has no two fields that fold alike", (_name, fields) => {
    for (const s of structs(fields)) {
      const folded = Object.keys(s).map(foldKey);
      expect(new Set(folded).size).toBe(folded.length);
    }
  });

  it("reads exec's privileged in any spelling", () => {
    for (const key of ["Privileged", "privileged", "PRIVILEGED", "pRiViLeGeD"]) {
      expect(decodeEngineBody(`{"Cmd":["sh"],"${key}":true}`, EXEC_CREATE_FIELDS)).toEqual({ Cmd: ["sh"], Privileged: true });
    }
    expect(decodeEngineBody('{"Privileged":true,"privileged":false}', EXEC_CREATE_FIELDS)).toEqual({ Privileged: false });
  });
});
