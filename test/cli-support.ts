import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const cliPath = join(root, "packages/cli/dist/cli.js");

/** Builds the CLI (and what it depends on) when its dist is missing; `pnpm test` builds first. */
export function ensureBuilt(): void {
  if (!existsSync(cliPath))
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b", "packages/cli"], {
      cwd: root,
      stdio: "inherit",
    });
}

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "swarmgate-cli-"));
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node packages/cli/dist/cli.js …args` as a process without a TTY. `onStderr` sees
 * stderr as it arrives (to send a signal after the first progress line).
 */
export function runCli(
  args: readonly string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    onStderr?: (text: string, child: ReturnType<typeof spawn>) => void;
    onStdout?: (text: string, child: ReturnType<typeof spawn>) => void;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...options.env };
    delete env.HF_TOKEN;
    if (options.env?.HF_TOKEN) env.HF_TOKEN = options.env.HF_TOKEN;
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd ?? tempDir(),
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      options.onStdout?.(stdout, child);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      options.onStderr?.(stderr, child);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
