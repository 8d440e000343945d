import { describe, expect, it } from "vitest";
import { SECRET_ENCODINGS, secretForms } from "./secret-encodings.js";

// Each encoder as actions/runner's ValueEncoders answers for the same value.
const [base64, base64Shift1, base64Shift2, commandLine, expression, json, uri, xml, trimQuotes, psBefore, psAfter] = SECRET_ENCODINGS;

describe("the runner's value encoders", () => {
  it.each<[string, typeof base64, string, string]>([
    ["base64, whole", base64, "hunter2", "aHVudGVyMg=="],
    ["base64 of UTF-8", base64, "pässwörd", "cMOkc3N3w7ZyZA=="],
    ["base64 from byte 1", base64Shift1, "hunter2", "dW50ZXIy"],
    ["base64 from byte 2", base64Shift2, "hunter2", "bnRlcjI="],
    ["base64 from byte 1 of a 1-byte value: the whole value", base64Shift1, "x", "eA=="],
    ["base64 from byte 2 of a 2-byte value: the whole value", base64Shift2, "xy", "eHk="],
    ["command line: quotes escaped", commandLine, 'a"b', 'a\\"b'],
    ["expression literal: quotes doubled", expression, "it's", "it''s"],
    ["JSON string: quote, backslash, controls", json, 'a"b\\c\nd\te\u0001', 'a\\"b\\\\c\\nd\\te\\u0001'],
    ["JSON string: the separators Newtonsoft escapes", json, "a\u2028b\u0085", "a\\u2028b\\u0085"],
    ["JSON string: / and non-ASCII stay", json, "a/é", "a/é"],
    ["URI data: all but unreserved", uri, "a b&c=d/é!'()*~-._", "a%20b%26c%3Dd%2F%C3%A9%21%27%28%29%2A~-._"],
    ["XML", xml, `<a href="x">&'`, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"],
    ["trim double quotes, over 8 characters", trimQuotes, '"long-secret"', "long-secret"],
    ["trim double quotes: 8 characters or fewer is nothing", trimQuotes, '"short"', ""],
    ["PowerShell, the part up to the last &", psBefore, "secretpart1&secretpart2&secretpart3", "secretpart1&secretpart2&"],
    ["PowerShell, the part up to &+", psBefore, "secretpart1&+secretpart2&secretpart3", "secretpart1&+"],
    ["PowerShell, the part after the last &", psAfter, "secretpart1&secretpart2&secretpart3", "secretpart3"],
    ["PowerShell, after &+ and the coloured letter", psAfter, "secretpart1&+secretpart2&secretpart3", "ecretpart2&secretpart3"],
    ["PowerShell, parts under 6 characters are nothing", psAfter, "abcdefgh&xyz", ""],
    ["PowerShell, no & is nothing", psBefore, "abcdefgh", ""],
  ])("%s", (_name, encode, value, expected) => {
    expect(encode?.(value)).toBe(expected);
  });

  it("gives each form once, without empty ones", () => {
    expect(secretForms("abc")).toEqual(["abc", "YWJj", "YmM=", "Yw=="]);
  });
});
