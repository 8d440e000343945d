import { describe, expect, it } from "vitest";
import type { ProcessedLine } from "./workflow-commands.js";
import { CommandProcessor, parseCommand } from "./workflow-commands.js";

describe("parseCommand", () => {
  it.each<[string, string, ReturnType<typeof parseCommand>]>([
    [
      "an annotation with its properties",
      "::error file=a.js,line=3,col=5,title=T::message",
      { name: "error", props: { file: "a.js", line: "3", col: "5", title: "T" }, message: "message" },
    ],
    ["no properties", "::warning::look out", { name: "warning", props: {}, message: "look out" }],
    ["leading whitespace", "   ::notice::hi", { name: "notice", props: {}, message: "hi" }],
    ["an empty message", "::endgroup::", { name: "endgroup", props: {}, message: "" }],
    ["data escapes %25 %0D %0A", "::warning::100%25%0Aline 2%0D", { name: "warning", props: {}, message: "100%\nline 2\r" }],
    ["%25 is decoded last, so %250A stays %0A", "::warning::%250A", { name: "warning", props: {}, message: "%0A" }],
    ["data keeps %3A and %2C", "::warning::a%3Ab%2Cc", { name: "warning", props: {}, message: "a%3Ab%2Cc" }],
    ["escapes are upper-case only, as the runner's", "::warning::a%0ab", { name: "warning", props: {}, message: "a%0ab" }],
    [
      "property escapes add %3A and %2C",
      "::error title=a%3Ab%2Cc%25d%0Ae::m",
      { name: "error", props: { title: "a:b,c%d\ne" }, message: "m" },
    ],
    [
      "a property may hold a single colon",
      "::error title=Build failed: lint,file=src/a.ts::m",
      { name: "error", props: { title: "Build failed: lint", file: "src/a.ts" }, message: "m" },
    ],
    ["the message may hold ::", "::error file=x::a::b", { name: "error", props: { file: "x" }, message: "a::b" }],
    ["a property value may hold =", "::set-output name=a=b::v", { name: "set-output", props: { name: "a=b" }, message: "v" }],
    [
      "names and property keys are case-insensitive",
      "::ERROR File=a.js,LINE=2::m",
      { name: "error", props: { file: "a.js", line: "2" }, message: "m" },
    ],
    ["any word is a name (stop tokens are)", "::tok3n_9f::", { name: "tok3n_9f", props: {}, message: "" }],
    ["not at the start of the line", "echo ::error::x", undefined],
    ["no closing ::", "::error x", undefined],
    ["no name", "::::x", undefined],
    ["a lone ::", "::", undefined],
    ["plain text", "hello world", undefined],
  ])("%s", (_name, line, parsed) => {
    expect(parseCommand(line)).toEqual(parsed);
  });
});

function processAll(lines: string[], allowUnsecure = false): ProcessedLine[] {
  const processor = new CommandProcessor(allowUnsecure);
  return lines.map((l) => processor.process(l));
}

const refusedMessage = (command: string): string =>
  `The \`${command}\` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the \`ACTIONS_ALLOW_UNSECURE_COMMANDS\` environment variable to \`true\`. For more information see: https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/`;

describe("CommandProcessor", () => {
  it.each<[string, string[], ProcessedLine[]]>([
    [
      "lines that are not commands pass through unchanged",
      ["hello", "", "  indented", "a :: b", "echo ::error::x", "::unknown-command::x"],
      [
        { display: "hello" },
        { display: "" },
        { display: "  indented" },
        { display: "a :: b" },
        { display: "echo ::error::x" },
        { display: "::unknown-command::x" },
      ],
    ],
    [
      "an error annotation with file, line, col and title",
      ["::error file=a.js,line=3,col=5,title=T::message"],
      [
        {
          display: "##[error]message",
          effect: { kind: "annotation", level: "error", message: "message", props: { file: "a.js", line: "3", col: "5", title: "T" } },
        },
      ],
    ],
    [
      "warning and notice",
      ["::warning::careful", "::notice title=FYI::note"],
      [
        { display: "##[warning]careful", effect: { kind: "annotation", level: "warning", message: "careful", props: {} } },
        { display: "##[notice]note", effect: { kind: "annotation", level: "notice", message: "note", props: { title: "FYI" } } },
      ],
    ],
    [
      "a multi-line annotation",
      ["::error::first%0Asecond"],
      [{ display: "##[error]first\nsecond", effect: { kind: "annotation", level: "error", message: "first\nsecond", props: {} } }],
    ],
    ["add-mask is not displayed", ["::add-mask::s3cret"], [{ display: null, effect: { kind: "mask", value: "s3cret" } }]],
    ["debug is not displayed", ["::debug::details"], [{ display: null, effect: { kind: "debug", message: "details" } }]],
    [
      "group and endgroup",
      ["::group::Install", "npm ci", "::endgroup::"],
      [
        { display: "##[group]Install", effect: { kind: "group", title: "Install" } },
        { display: "npm ci" },
        { display: "##[endgroup]", effect: { kind: "endgroup" } },
      ],
    ],
    [
      "stop-commands shows commands literally until the token comes back",
      ["::stop-commands::pause-1", "::error::not an annotation", "::add-mask::not-a-mask", "::pause-1::", "::error::again"],
      [
        { display: "::stop-commands::pause-1" },
        { display: "::error::not an annotation" },
        { display: "::add-mask::not-a-mask" },
        { display: "::pause-1::" },
        { display: "##[error]again", effect: { kind: "annotation", level: "error", message: "again", props: {} } },
      ],
    ],
    [
      "a stop token with digits resumes, in any case",
      ["::stop-commands::Tok3n_9F", "::warning::literal", "::tok3n_9f::", "::warning::processed"],
      [
        { display: "::stop-commands::Tok3n_9F" },
        { display: "::warning::literal" },
        { display: "::tok3n_9f::" },
        { display: "##[warning]processed", effect: { kind: "annotation", level: "warning", message: "processed", props: {} } },
      ],
    ],
    [
      "another token does not resume",
      ["::stop-commands::abc123", "::abc124::", "::warning::still literal"],
      [{ display: "::stop-commands::abc123" }, { display: "::abc124::" }, { display: "::warning::still literal" }],
    ],
    [
      "set-output still works",
      ["::set-output name=result::42"],
      [{ display: null, effect: { kind: "output", name: "result", value: "42" } }],
    ],
    [
      "save-state",
      ["::save-state name=pid::123"],
      [{ display: null, effect: { kind: "state", name: "pid", value: "123" } }],
    ],
    [
      "set-output without a name fails the step",
      ["::set-output::42"],
      [
        {
          display: "##[error]Unable to process command '::set-output::42' successfully.",
          effect: { kind: "refused", message: "Required field 'name' is missing in ##[set-output] command." },
        },
      ],
    ],
    [
      "save-state without a name fails the step",
      ["::save-state name=::1"],
      [
        {
          display: "##[error]Unable to process command '::save-state name=::1' successfully.",
          effect: { kind: "refused", message: "Required field 'name' is missing in ##[save-state] command." },
        },
      ],
    ],
    [
      "set-env is refused",
      ["::set-env name=A::1"],
      [
        {
          display: "##[error]Unable to process command '::set-env name=A::1' successfully.",
          effect: { kind: "refused", message: refusedMessage("set-env") },
        },
      ],
    ],
    [
      "add-path is refused",
      ["::add-path::/opt/bin"],
      [
        {
          display: "##[error]Unable to process command '::add-path::/opt/bin' successfully.",
          effect: { kind: "refused", message: refusedMessage("add-path") },
        },
      ],
    ],
    ["echo is not displayed", ["::echo::on"], [{ display: null }]],
  ])("%s", (_name, lines, processed) => {
    expect(processAll(lines)).toEqual(processed);
  });

  it.each<[string, string, ProcessedLine]>([
    ["set-env is applied", "::set-env name=A::1", { display: null, effect: { kind: "env", name: "A", value: "1" } }],
    ["add-path is applied", "::add-path::/opt/bin", { display: null, effect: { kind: "path", value: "/opt/bin" } }],
    [
      "set-env without a name fails the step",
      "::set-env::1",
      {
        display: "##[error]Unable to process command '::set-env::1' successfully.",
        effect: { kind: "refused", message: "Required field 'name' is missing in ##[set-env] command." },
      },
    ],
  ])("with ACTIONS_ALLOW_UNSECURE_COMMANDS, %s", (_name, line, processed) => {
    expect(processAll([line], true)).toEqual([processed]);
  });
});
