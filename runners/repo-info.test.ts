import { describe, expect, it } from "vitest";
import { parseRemote } from "./repo-info.js";

describe("parseRemote", () => {
  it.each<[string, { owner: string; name: string } | undefined]>([
    ["https://github.com/octo/widgets.git", { owner: "octo", name: "widgets" }],
    ["https://github.com/octo/widgets", { owner: "octo", name: "widgets" }],
    ["https://github.com/octo/widgets/", { owner: "octo", name: "widgets" }],
    ["https://x-access-token:abc@github.com/octo/widgets.git", { owner: "octo", name: "widgets" }],
    ["git@github.com:octo/widgets.git", { owner: "octo", name: "widgets" }],
    ["git@github.com:octo/widgets", { owner: "octo", name: "widgets" }],
    ["ssh://git@github.com/octo/widgets.git", { owner: "octo", name: "widgets" }],
    ["ssh://git@github.com:22/octo/widgets.git", { owner: "octo", name: "widgets" }],
    ["git://github.com/octo/widgets.git", { owner: "octo", name: "widgets" }],
    ["https://ghe.example.com/octo/widgets.git", { owner: "octo", name: "widgets" }],
    ["https://github.com/octo/my.repo.git", { owner: "octo", name: "my.repo" }],
    ["https://github.com/octo/octo.github.io", { owner: "octo", name: "octo.github.io" }],
    ["git@github.com:Octo-Org/Widgets_2.git", { owner: "Octo-Org", name: "Widgets_2" }],
    ["  https://github.com/octo/widgets.git\n", { owner: "octo", name: "widgets" }],
    ["widgets", undefined],
    ["", undefined],
  ])("%j", (url, parsed) => {
    expect(parseRemote(url)).toEqual(parsed);
  });
});
