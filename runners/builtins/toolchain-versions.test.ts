import { describe, expect, it } from "vitest";
import { goAsk, goVersionFile, javaAsk, javaVersionFile, newestSatisfying, pythonAsk, pythonVersionFile, satisfies } from "./toolchain-versions.js";

describe("Go versions", () => {
  it.each([
    ["1.24", "1.24.4", true],
    ["1.24.x", "1.24.4", true],
    ["^1.22", "1.24.4", true],
    [">=1.25", "1.24.4", false],
    ["1.24.4", "1.24.4", true],
    ["1.24.0", "1.24.4", false],
    ["1.23", "1.24.4", false],
    ["go1.24.4", "1.24.4", true],
    ["1.25rc1", "1.24.4", false],
  ])("go-version %s on the image's %s: %s", (spec, image, ok) => {
    expect(satisfies(image, goAsk(spec))).toBe(ok);
  });
  it("leaves stable and oldstable to the caller (no range decides them offline)", () => {
    expect(satisfies("1.24.4", goAsk("stable"))).toBeUndefined();
    expect(goAsk("oldstable").range).toBeUndefined();
  });
  it.each([
    ["go.mod", "module x\n\ngo 1.24\n", "1.24.4", true],
    ["go.mod", "module x\n\ngo 1.24.0\n", "1.24.4", true],
    ["go.mod", "module x\n\ngo 1.24.6\n", "1.24.4", false],
    ["go.mod", "module x\n\ngo 1.25.0\n", "1.24.4", false],
    ["go.mod", "module x\n\ngo 1.23\n", "1.24.4", false],
    ["go.mod", "module x\n\ngo 1.23\n\ntoolchain go1.24.4\n", "1.24.4", true],
    ["go.mod", "module x\n\ngo 1.24\n\ntoolchain go1.24.6\n", "1.24.4", false],
    ["go.work", "go 1.24\n\nuse ./a\n", "1.24.4", true],
    [".go-version", "1.24.4\n", "1.24.4", true],
    [".tool-versions", "nodejs 22.1.0\ngolang 1.24.4\n", "1.24.4", true],
  ])("go-version-file %s %j on the image's %s: %s", (file, text, image, ok) => {
    const ask = goVersionFile(file, text);
    expect(ask && satisfies(image, ask)).toBe(ok);
  });
  it("says where a go.mod version came from, and that the go line is a minimum", () => {
    expect(goVersionFile("sub/go.mod", "go 1.24\n")).toMatchObject({ text: "1.24 (go.mod's go directive)", minimum: true });
    expect(goVersionFile("go.mod", "go 1.23\ntoolchain go1.24.4\n")?.text).toBe("1.24.4 (go.mod's toolchain directive)");
    expect(goVersionFile("go.mod", "module x\n")).toBeUndefined();
  });
});

describe("Python versions", () => {
  it.each([
    ["3.11", "3.11.2", true],
    ["3.11.2", "3.11.2", true],
    ["3.11.4", "3.11.2", false],
    ["3.x", "3.11.2", true],
    [">=3.9 <3.13", "3.11.2", true],
    ["3.12", "3.11.2", false],
    ["3.11-dev", "3.11.2", true],
  ])("python-version %s on the image's %s: %s", (spec, image, ok) => {
    const ask = pythonAsk(spec);
    expect("unsupported" in ask ? "unsupported" : satisfies(image, ask)).toBe(ok);
  });
  it.each(["pypy3.10", "3.13t", "graalpy-24.1"])("%s is not a CPython range", (spec) => {
    expect(pythonAsk(spec)).toHaveProperty("unsupported");
  });
  it.each([
    [".python-version", "# pinned\n3.11.2\n3.10\n", "3.11.2"],
    [".tool-versions", "python 3.11.2\n", "3.11.2"],
    ["pyproject.toml", '[project]\nname = "x"\nrequires-python = ">=3.9, <3.13"\n', ">=3.9 <3.13"],
    ["Pipfile", '[requires]\npython_version = "3.11"\n', "3.11"],
  ])("python-version-file %s", (file, text, version) => {
    expect(pythonVersionFile(file, text)).toBe(version);
  });
});

describe("Java versions", () => {
  it.each([
    ["17", "17.0.21.1", true],
    ["17.0.21", "17.0.21.1", true],
    ["17.0.2+8", "17.0.21.1", false],
    ["17.x", "17.0.21.1", true],
    ["21", "17.0.21.1", false],
    ["1.8", "17.0.21.1", false],
    ["8", "1.8.0_392", true],
    ["17-ea", "17.0.21.1", true],
  ])("java-version %s on the image's %s: %s", (spec, image, ok) => {
    expect(satisfies(image, javaAsk(spec))).toBe(ok);
  });
  it.each([
    [".java-version", "17\n", "17"],
    [".tool-versions", "java temurin-17.0.2+8\n", "17.0.2"],
    [".sdkmanrc", "java=21.0.2-tem\n", "21.0.2"],
  ])("java-version-file %s", (file, text, version) => {
    expect(javaVersionFile(file, text)).toBe(version);
  });
});

describe("newestSatisfying", () => {
  it("takes the newest version that satisfies the range", () => {
    expect(newestSatisfying(["1.22.9", "1.24.4", "1.24.1"], goAsk("1.24"))).toBe("1.24.4");
    expect(newestSatisfying(["1.22.9"], goAsk("1.24"))).toBeUndefined();
  });
});
