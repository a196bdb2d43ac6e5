import { formatDuration, formatInt, formatUsd } from "./format.js";

/** What the live view shows, read afresh on every frame. */
export interface LiveStatus {
  readonly title: string;
  /** Scenario seconds elapsed and planned. */
  readonly elapsedSeconds: number;
  readonly totalSeconds: number;
  readonly calls: { readonly ok: number; readonly failed: number };
  /** Agent tasks (the demo). */
  readonly tasks?: { readonly done: number; readonly failed: number; readonly running: number };
  readonly requests: number;
  readonly status429: number;
  readonly status503: number;
  readonly retries: number;
  /** Use of the current quota window, from the server's RateLimit headers. */
  readonly quota?: { readonly used: number; readonly quota: number; readonly windows: number };
  /** The governor's limit (`null` ungoverned) and HTTP requests in flight. */
  readonly concurrencyLimit: number | null;
  readonly inFlight: number;
  readonly creditsUsd: number;
}

/** Options of {@link LiveView}. */
export interface LiveViewOptions {
  readonly stream?: NodeJS.WriteStream;
  /** Redraw in place; default: the stream is a TTY. */
  readonly tty?: boolean;
  /** Wall ms between frames. @default 100 on a TTY, 1000 otherwise */
  readonly intervalMs?: number;
}

const BAR = 24;

function bar(fraction: number): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * BAR);
  return `${"█".repeat(full)}${"░".repeat(BAR - full)}`;
}

/** The frame as lines (TTY) or as one line (logs, CI, pipes). */
export function renderStatus(s: LiveStatus, tty: boolean): string[] {
  const fraction = s.totalSeconds > 0 ? s.elapsedSeconds / s.totalSeconds : 0;
  const pct = `${Math.min(100, Math.floor(fraction * 100))}%`.padStart(4);
  const time = `${formatDuration(s.elapsedSeconds)} of ${formatDuration(s.totalSeconds)}`;
  const tasks = s.tasks
    ? `tasks ${s.tasks.done} done, ${s.tasks.running} running, ${s.tasks.failed} failed`
    : undefined;
  const calls = `calls ${formatInt(s.calls.ok)} ok, ${formatInt(s.calls.failed)} failed`;
  const quota = s.quota
    ? `quota ${formatInt(s.quota.used)}/${formatInt(s.quota.quota)} this window (${s.quota.windows} seen)`
    : "quota –";
  const conc = `limit ${s.concurrencyLimit ?? "none"}, in flight ${s.inFlight}`;
  const errors = `429 ${formatInt(s.status429)}  503 ${formatInt(s.status503)}  retries ${formatInt(s.retries)}`;
  if (!tty)
    return [
      [
        `[${pct}] ${time}`,
        ...(tasks ? [tasks] : []),
        calls,
        `requests ${formatInt(s.requests)}`,
        errors,
        quota,
        conc,
        `credits ${formatUsd(s.creditsUsd)}`,
      ].join(" | "),
    ];
  return [
    `${s.title}  ${bar(fraction)} ${pct}  ${time} (scenario time)`,
    `  ${tasks ? `${tasks} · ` : ""}${calls}`,
    `  requests ${formatInt(s.requests)} · ${errors}`,
    `  ${quota} · concurrency ${conc}`,
    `  credits ${formatUsd(s.creditsUsd)}`,
  ];
}

/**
 * A terminal view of a run. On a TTY it redraws its lines in place; otherwise (pipes, CI,
 * tests) it prints one plain line per interval. Writes to stderr so stdout stays clean
 * for `--json`.
 */
export class LiveView {
  readonly #stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #intervalMs: number;
  readonly #status: () => LiveStatus;
  #timer: NodeJS.Timeout | undefined;
  #drawn = 0;

  constructor(status: () => LiveStatus, options: LiveViewOptions = {}) {
    this.#status = status;
    this.#stream = options.stream ?? process.stderr;
    this.#tty = options.tty ?? Boolean(this.#stream.isTTY);
    this.#intervalMs = options.intervalMs ?? (this.#tty ? 100 : 1_000);
  }

  /** Draws the first frame now, then one per interval. */
  start(): void {
    this.#draw();
    this.#timer = setInterval(() => this.#draw(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Draws the final frame and stops. Idempotent. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#draw();
  }

  #draw(): void {
    const lines = renderStatus(this.#status(), this.#tty);
    if (this.#tty) {
      const up = this.#drawn > 0 ? `\x1b[${this.#drawn}A` : "";
      this.#stream.write(`${up}${lines.map((l) => `\x1b[2K${l}\n`).join("")}`);
      this.#drawn = lines.length;
    } else this.#stream.write(`${lines.join("\n")}\n`);
  }
}
