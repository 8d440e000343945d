export { addHookCommands } from "./hook-command.js";
