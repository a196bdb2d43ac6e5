import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** The workers run the BUILT packages (CI builds before testing); builds them when dist/ is missing. */
export function ensureBuilt(): void {
  if (existsSync(`${root}packages/redis/dist/index.js`) && existsSync(`${root}packages/core/dist/index.js`))
    return;
  execFileSync("pnpm", ["exec", "tsc", "-b", "packages/redis/tsconfig.json"], {
    cwd: root,
    stdio: "inherit",
  });
}
