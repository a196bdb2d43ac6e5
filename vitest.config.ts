import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests import each workspace package from its TypeScript source, so `vitest` runs
// without a build and stack traces point at src/.
const packagesDir = fileURLToPath(new URL("./packages/", import.meta.url));
const alias = Object.fromEntries(
  readdirSync(packagesDir).map((dir) => [`@swarmgate/${dir}`, `${packagesDir}${dir}/src/index.ts`]),
);

export default defineConfig({
  resolve: { alias },
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
