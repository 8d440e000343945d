import { describe, expect, it } from "vitest";
import { shellCommand } from "./open-shell.js";

describe("shellCommand", () => {
  const target = {
    containerId: "abc123",
    user: "runner",
    workdir: "/home/runner/work/demo/demo/sub",
    env: { HOME: "/home/runner", PATH: "/opt/node/bin:/usr/bin", API_TOKEN: "s3cret", RUNNER_OS: "Linux" },
  };
  const cmd = shellCommand(target, { PATH: "/host/bin", HOME: "/root", TERM: "xterm-256color" });

  it("is docker exec -it as the step's user, in its folder, in the job's container", () => {
    expect(cmd.file).toBe("docker");
    expect(cmd.args.slice(0, 6)).toEqual(["exec", "-it", "-u", "runner", "-w", "/home/runner/work/demo/demo/sub"]);
    expect(cmd.args.slice(-4, -1)).toEqual(["abc123", "sh", "-c"]);
    expect(cmd.args.at(-1)).toContain("exec bash");
  });

  it("passes the step's variables by name, so no value shows in the process list", () => {
    expect(cmd.args).toContain("API_TOKEN");
    expect(cmd.args.join(" ")).not.toContain("s3cret");
    expect(cmd.env["API_TOKEN"]).toBe("s3cret");
    expect(cmd.env["RUNNER_OS"]).toBe("Linux");
  });

  it("gives HOME and PATH inline: the docker CLI keeps the host's, the shell gets the step's", () => {
    expect(cmd.env["HOME"]).toBe("/root");
    expect(cmd.env["PATH"]).toBe("/host/bin");
    expect(cmd.args).toContain("HOME=/home/runner");
    expect(cmd.args).toContain("PATH=/opt/node/bin:/usr/bin");
    expect(cmd.args).toContain("TERM=xterm-256color");
  });
});
