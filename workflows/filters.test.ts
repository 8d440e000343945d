import { describe, expect, it } from "vitest";
import { ReplayError } from "../common/errors.js";
import { branchFilterAllows, filterMatches, matchesPattern, pathFilterAllows } from "./filters.js";

describe("matchesPattern", () => {
  // The docs' "Patterns to match branches and tags" table, then "Patterns to match file paths".
  it.each<[string, string[], string[]]>([
    ["feature/*", ["feature/my-branch", "feature/your-branch"], ["feature/beta-a/my-branch", "feature", "xfeature/a"]],
    ["feature/**", ["feature/beta-a/my-branch", "feature/your-branch", "feature/mona/the/octocat"], ["feature", "features/a"]],
    ["main", ["main"], ["main2", "xmain", "Main"]],
    ["releases/mona-the-octocat", ["releases/mona-the-octocat"], ["releases/mona"]],
    ["*", ["main", "releases"], ["releases/10"]],
    ["**", ["all/the/branches", "every/tag", ""], []],
    ["*feature", ["mona-feature", "feature", "ver-10-feature"], ["a/feature", "feature-x"]],
    ["v2*", ["v2", "v2.0", "v2.9"], ["v1", "v2/x", "xv2"]],
    ["v[12].[0-9]+.[0-9]+", ["v1.10.1", "v2.0.0", "v1.2.345"], ["v3.0.0", "v1.x.1", "v1..1", "v1a1.1"]],

    ["*.jsx?", ["page.js", "page.jsx"], ["page.jsxx", "src/page.js", "page.j"]],
    ["*.js", ["app.js", "index.js"], ["js/index.js", "app.jsx"]],
    ["**.js", ["index.js", "js/index.js", "src/js/app.js"], ["index.jsx"]],
    ["docs/*", ["docs/README.md", "docs/file.txt"], ["docs/mona/octocat.txt", "README.md"]],
    ["docs/**", ["docs/README.md", "docs/mona/octocat.txt"], ["README.md", "mydocs/a"]],
    ["docs/**/*.md", ["docs/README.md", "docs/mona/hello-world.md", "docs/a/markdown/file.md"], ["docs/a.txt", "src/docs/a.md"]],
    ["**/docs/**", ["docs/hello.md", "dir/docs/my-file.txt", "space/docs/plan/space.doc"], ["mydocs/a", "docs"]],
    ["**/README.md", ["README.md", "js/README.md"], ["README.mdx", "js/README.md.bak", "xREADME.md"]],
    ["**/*src/**", ["a/src/app.js", "my-src/code/js/app.js"], ["src", "a/srcs/app.js"]],
    ["**/*-post.md", ["my-post.md", "path/their-post.md"], ["post.md"]],
    ["**/migrate-*.sql", ["migrate-10909.sql", "db/migrate-v1.0.sql", "db/sept/migrate-v1.sql"], ["db/migrate.sql"]],

    ["[CB]at", ["Cat", "Bat"], ["cat", "Hat", "CBat"]],
    ["[1-2]00", ["100", "200"], ["300", "00"]],
    ["ab+c", ["abc", "abbbc"], ["ac"]],
    ["colou?r", ["color", "colour"], ["colouur"]],
    ["release-\\*", ["release-*"], ["release-1"]],
    ["a\\?", ["a?"], ["a", ""]],
    ["v1.0", ["v1.0"], ["v1x0"]],
    ["(a|b)", ["(a|b)"], ["a"]],
    ["[unclosed", ["[unclosed"], ["u"]],
    ["?x", ["?x"], ["x"]],
  ])("%s", (pattern, matching, notMatching) => {
    for (const v of matching) expect(matchesPattern(pattern, v), `${pattern} should match ${v}`).toBe(true);
    for (const v of notMatching) expect(matchesPattern(pattern, v), `${pattern} should not match ${v}`).toBe(false);
  });

  it("refuses a backwards range as a workflow error", () => {
    expect(() => matchesPattern("[z-a]", "b")).toThrow(ReplayError);
  });
});

describe("filterMatches", () => {
  it.each<[string[], string, boolean]>([
    // The docs' negation rows: a later `!` leaves out, a later plain pattern takes back in.
    [["*.md", "!README.md"], "hello.md", true],
    [["*.md", "!README.md"], "README.md", false],
    [["*.md", "!README.md"], "docs/hello.md", false],
    [["*.md", "!README.md", "README*"], "hello.md", true],
    [["*.md", "!README.md", "README*"], "README.md", true],
    [["*.md", "!README.md", "README*"], "README.doc", true],
    // The docs' workflow_run example: releases/** but not releases/**-alpha.
    [["releases/**", "!releases/**-alpha"], "releases/10", true],
    [["releases/**", "!releases/**-alpha"], "releases/beta/mona", true],
    [["releases/**", "!releases/**-alpha"], "releases/10-alpha", false],
    [["releases/**", "!releases/**-alpha"], "releases/beta/3-alpha", false],
    [["releases/**", "!releases/**-alpha"], "main", false],
    [["!main"], "dev", false],
    [[], "main", false],
  ])("%j on %s → %s", (patterns, value, selected) => {
    expect(filterMatches(patterns, value)).toBe(selected);
  });
});

describe("branchFilterAllows", () => {
  it.each<[{ include?: string[]; ignore?: string[] }, string, boolean]>([
    [{}, "anything/at/all", true],
    [{ include: ["main", "releases/**"] }, "releases/v1/rc", true],
    [{ include: ["main", "releases/**"] }, "feature", false],
    [{ ignore: ["mona/octocat", "releases/**-alpha"] }, "releases/beta/3-alpha", false],
    [{ ignore: ["mona/octocat", "releases/**-alpha"] }, "releases/10", true],
    [{ include: ["**"], ignore: ["wip/*"] }, "wip/x", false],
  ])("%j allows %s: %s", (filter, name, allowed) => {
    expect(branchFilterAllows(filter, name)).toBe(allowed);
  });
});

describe("pathFilterAllows", () => {
  it.each<[string, { include?: string[]; ignore?: string[] }, string[] | undefined, boolean]>([
    ["no filter", {}, ["a.ts"], true],
    ["unknown changes run", { include: ["docs/**"] }, undefined, true],
    ["unknown changes run under paths-ignore too", { ignore: ["docs/**"] }, undefined, true],
    ["paths: one matching file is enough", { include: ["**.js"] }, ["README.md", "src/app.js"], true],
    ["paths: no matching file", { include: ["**.js"] }, ["README.md", "docs/a.md"], false],
    ["paths: a file left out by a later negation", { include: ["sub-project/**", "!sub-project/docs/**"] }, ["sub-project/docs/a.md"], false],
    ["paths: negation keeps the others", { include: ["sub-project/**", "!sub-project/docs/**"] }, ["sub-project/docs/a.md", "sub-project/src/a.c"], true],
    ["paths-ignore: all files ignored skips", { ignore: ["docs/**"] }, ["docs/a.md", "docs/b/c.md"], false],
    ["paths-ignore: one file outside runs", { ignore: ["docs/**"] }, ["docs/a.md", "src/x.ts"], true],
    ["paths: nothing changed", { include: ["**"] }, [], false],
    ["paths-ignore: nothing changed", { ignore: ["docs/**"] }, [], false],
  ])("%s", (_name, filter, files, allowed) => {
    expect(pathFilterAllows(filter, files)).toBe(allowed);
  });
});
