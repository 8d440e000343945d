import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HOOK_MARKER, installHook, managerInstructions, renderHookScript, uninstallHook } from "./hook-install.js";

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function repo(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "replay-hook-install-"));
  roots.push(dir);
  execFileSync("git", ["init", "-q", "-b", "main"], { cwd: dir });
  return dir;
}

const command = { node: "/usr/bin/node", entry: "/opt/replay's/dist/cli/main.js", args: ["--jobs", "lint,test"] };
const FOREIGN = "#!/bin/sh\necho foreign\n";

describe("installHook / uninstallHook", () => {
  it("writes an executable pre-push in .git/hooks, and again is a no-op", async () => {
    const dir = repo();
    const r = await installHook(dir, command);
    expect(r).toMatchObject({ kind: "installed", chained: false, updated: false });
    const file = path.join(dir, ".git/hooks/pre-push");
    expect(readFileSync(file, "utf8")).toBe(renderHookScript(command));
    expect(statSync(file).mode & 0o111).toBe(0o111);
    expect(await installHook(dir, command)).toMatchObject({ kind: "unchanged" });
    expect(await installHook(dir, { ...command, args: [] })).toMatchObject({ kind: "installed", updated: true });
  });

  it("keeps a foreign hook as pre-push.replay-chained and puts it back on uninstall, twice over", async () => {
    const dir = repo();
    const file = path.join(dir, ".git/hooks/pre-push");
    writeFileSync(file, FOREIGN, { mode: 0o755 });
    expect(await installHook(dir, command)).toMatchObject({ kind: "installed", chained: true });
    expect(await installHook(dir, command)).toMatchObject({ kind: "unchanged", chained: true });
    expect(readFileSync(`${file}.replay-chained`, "utf8")).toBe(FOREIGN);
    expect(await uninstallHook(dir)).toMatchObject({ kind: "removed", restored: true });
    expect(readFileSync(file, "utf8")).toBe(FOREIGN);
    expect(statSync(file).mode & 0o111).toBe(0o111);
    expect(existsSync(`${file}.replay-chained`)).toBe(false);
    expect(await uninstallHook(dir)).toMatchObject({ kind: "absent" });
    expect(readFileSync(file, "utf8")).toBe(FOREIGN);
  });

  it("never overwrites a kept hook: a foreign pre-push beside an existing pre-push.replay-chained is refused", async () => {
    const dir = repo();
    const file = path.join(dir, ".git/hooks/pre-push");
    writeFileSync(file, FOREIGN, { mode: 0o755 });
    writeFileSync(`${file}.replay-chained`, "#!/bin/sh\necho older\n", { mode: 0o755 });
    await expect(installHook(dir, command)).rejects.toThrow(/is not replay's hook/);
    expect(readFileSync(file, "utf8")).toBe(FOREIGN);
  });

  it("respects core.hooksPath, relative to the repository's top", async () => {
    const dir = repo();
    execFileSync("git", ["config", "core.hooksPath", "tools/hooks"], { cwd: dir });
    mkdirSync(path.join(dir, "sub"));
    const r = await installHook(path.join(dir, "sub"), command);
    expect(r.where.hookFile).toBe(path.join(dir, "tools/hooks/pre-push"));
    expect(readFileSync(path.join(dir, "tools/hooks/pre-push"), "utf8")).toContain(HOOK_MARKER);
    expect(existsSync(path.join(dir, ".git/hooks/pre-push"))).toBe(false);
  });

  it.each<[string, (dir: string) => void, string]>([
    ["husky", (d) => mkdirSync(path.join(d, ".husky")), "husky"],
    ["lefthook", (d) => writeFileSync(path.join(d, "lefthook.yml"), "pre-commit: {}\n"), "lefthook"],
    ["pre-commit", (d) => writeFileSync(path.join(d, ".pre-commit-config.yaml"), "repos: []\n"), "pre-commit"],
    ["a lefthook-written hook", (d) => writeFileSync(path.join(d, ".git/hooks/pre-push"), "#!/bin/sh\nlefthook run pre-push \"$@\"\n"), "lefthook"],
  ])("leaves hooks %s manages alone", async (_what, arrange, manager) => {
    const dir = repo();
    arrange(dir);
    const before = existsSync(path.join(dir, ".git/hooks/pre-push")) ? readFileSync(path.join(dir, ".git/hooks/pre-push"), "utf8") : undefined;
    expect(await installHook(dir, command)).toMatchObject({ kind: "managed", manager });
    const after = existsSync(path.join(dir, ".git/hooks/pre-push")) ? readFileSync(path.join(dir, ".git/hooks/pre-push"), "utf8") : undefined;
    expect(after).toBe(before);
  });
});

describe("managerInstructions", () => {
  it.each<["husky" | "lefthook" | "pre-commit", string]>([
    ["husky", `replay hook run '--jobs' 'lint' "$@"`],
    ["lefthook", "run: replay hook run '--jobs' 'lint' {1} {2}"],
    ["pre-commit", "entry: replay hook run '--jobs' 'lint'"],
  ])("%s: the line to add", (manager, line) => {
    const text = managerInstructions({ manager, file: "x" }, ["--jobs", "lint"], true, command).join("\n");
    expect(text).toContain(line);
    if (manager === "lefthook") expect(text).toContain("use_stdin: true");
    if (manager === "pre-commit") expect(text).toContain("stages: [pre-push]");
  });
  it("says how to call replay when it is not on PATH", () => {
    expect(managerInstructions({ manager: "husky", file: ".husky/" }, [], false, command).join("\n")).toContain(`'/opt/replay'\\''s/dist/cli/main.js'`);
  });
});

describe("the hook script", () => {
  it("is valid sh, quoting paths with quotes in them", () => {
    const dir = repo();
    const file = path.join(dir, "hook.sh");
    writeFileSync(file, renderHookScript(command));
    expect(() => execFileSync("sh", ["-n", file])).not.toThrow();
    expect(readFileSync(file, "utf8")).toContain(`REPLAY_ENTRY='/opt/replay'\\''s/dist/cli/main.js'`);
  });
});
