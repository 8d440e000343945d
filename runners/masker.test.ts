import { describe, expect, it } from "vitest";
import { Masker } from "./masker.js";

function masked(values: string[], text: string): string {
  const masker = new Masker();
  for (const v of values) masker.add(v);
  return masker.mask(text);
}

describe("Masker", () => {
  it.each<[string, string[], string, string]>([
    ["nothing to mask", [], "token=abc", "token=abc"],
    ["every occurrence", ["hunter2"], "hunter2 and hunter2again", "*** and ***again"],
    ["several values", ["alpha", "omega"], "alpha to omega", "*** to ***"],
    ["a multi-line value, whole", ["line one\nline two"], "x line one\nline two y", "x *** y"],
    ["each line of a multi-line value on its own", ["line one\nline two"], "> line two", "> ***"],
    ["each line of a CRLF value", ["first\r\nsecond"], "first | second", "*** | ***"],
    ["the longest value first: a value containing another is masked whole", ["abc", "abcdef"], "abcdef abc", "*** ***"],
    ["the same, added the other way round", ["abcdef", "abc"], "abcdef abc", "*** ***"],
    ["overlapping values leave nothing of either", ["abcd", "cdef"], "xabcdefx", "x***x"],
    ["touching values make one ***", ["abc", "def"], "abcdef", "***"],
    ["repeats that overlap themselves", ["aa"], "aaa", "***"],
    ["the masked text is the original, not a previous ***", ["s3cret", "*"], "s3cret", "***"],
    ["empty values are ignored", ["", "\n", "\r\n"], "text stays", "text stays"],
    ["a value added twice", ["dup", "dup"], "dup", "***"],
  ])("%s", (_name, values, text, expected) => {
    expect(masked(values, text)).toBe(expected);
  });

  it("masks values added after earlier lines were shown", () => {
    const masker = new Masker();
    expect(masker.mask("late-secret")).toBe("late-secret");
    masker.add("late-secret");
    expect(masker.mask("late-secret")).toBe("***");
  });
});

describe("Masker, the forms GitHub's runner masks with a secret", () => {
  const secret = 'p@ss "word"&<x>';
  it.each<[string, string]>([
    ["base64 of the value", `echo ${Buffer.from(secret).toString("base64")}`],
    ["base64 after a prefix (user:password), from byte 1", Buffer.from(`u:${secret}`).toString("base64")],
    ["base64 after a prefix, from byte 2", Buffer.from(`us:${secret}`).toString("base64")],
    ["base64 after a prefix, from byte 0", Buffer.from(`usr:${secret}`).toString("base64")],
    ["JSON-escaped", JSON.stringify({ token: secret })],
    ["URI-escaped", `https://x/?t=${encodeURIComponent(secret)}`],
    ["XML-escaped", `<t>p@ss &quot;word&quot;&amp;&lt;x&gt;</t>`],
    ["on the docker command line", 'ENV="p@ss \\"word\\"&<x>"'],
  ])("%s", (_name, text) => {
    const masker = new Masker();
    masker.add(secret);
    expect(masker.reveals(text)).toBe(true);
    // Nothing that identifies the secret is left: neither its text nor a base64 run of it.
    const left = masker.mask(text);
    expect(left).toContain("***");
    expect(left).not.toContain("word");
  });

  it("masks a base64 secret's form in a line of a multi-line value", () => {
    const masker = new Masker();
    masker.add("first-line\nsecond-line");
    expect(masker.mask(Buffer.from("second-line").toString("base64"))).toBe("***");
  });
});
